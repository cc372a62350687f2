/**
 * Configuration from `.env`: the file fills in what the environment does not set, and the
 * environment wins. The process test runs the real bundle in a folder holding a `.env`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { applyEnvFile, StartupError } from '../src/env.js'
import { freePort, kill, serverArguments, startServer } from './support/server-process.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))
const folder = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-env-'))
  dirs.push(dir)
  return dir
}

describe('applyEnvFile', () => {
  it('fills in unset and empty variables, keeps the ones the environment sets, and reads quotes and comments', async () => {
    const dir = await folder()
    const file = path.join(dir, '.env')
    await writeFile(
      file,
      '# settings\nPORT=4100\nHOST=0.0.0.0\nLOG_LEVEL="warn"\nEMPTY_IN_ENV=from-file\nPUBLIC_URL=\'https://crm.example.com\' # trailing\n',
    )
    const target: Record<string, string | undefined> = { HOST: '127.0.0.2', EMPTY_IN_ENV: '' }
    const set = applyEnvFile(file, target)
    expect(target).toEqual({
      PORT: '4100',
      HOST: '127.0.0.2',
      LOG_LEVEL: 'warn',
      EMPTY_IN_ENV: 'from-file',
      PUBLIC_URL: 'https://crm.example.com',
    })
    expect(set.sort()).toEqual(['EMPTY_IN_ENV', 'LOG_LEVEL', 'PORT', 'PUBLIC_URL'])
  })

  it('is no error when there is no file, and a clear one when it cannot be read', async () => {
    const dir = await folder()
    expect(applyEnvFile(path.join(dir, '.env'), {})).toEqual([])
    // A folder where the file should be cannot be read as one.
    const error = (() => {
      try {
        applyEnvFile(dir, {})
      } catch (thrown) {
        return thrown
      }
    })()
    expect(error).toBeInstanceOf(StartupError)
    expect((error as Error).message).toMatch(/cannot be read \(EISDIR\)/)
  })
})

describe('the server reads .env from its working directory', () => {
  let serverArgs: string[]
  beforeAll(async () => {
    serverArgs = await serverArguments('test/generated/env-file/main.mjs')
  })

  it('listens on the PORT of .env, and on the environment PORT when both set it', async () => {
    const dir = await folder()
    const [filePort, envPort] = [await freePort(), await freePort()]
    await writeFile(path.join(dir, '.env'), `PORT=${filePort}\nDATA_DIR=./data\nBOOTSTRAP_ACCESS_CODE=env-file-code\n`)

    // PORT empty in the environment counts as unset, so the file's applies.
    const fromFile = await startServer(serverArgs, { PORT: '' }, { cwd: dir, port: filePort })
    // The banner is written as the server starts listening; it may reach this process after /health's answer.
    await vi.waitFor(() => {
      expect(fromFile.output()).toContain(`Portal:       http://127.0.0.1:${filePort}/portal`)
      expect(fromFile.output()).toContain('Access code:  env-file-code')
    })
    // Stopped cleanly, so the next start finds DATA_DIR unlocked at once.
    const stopped = new Promise((resolve) => fromFile.child.once('exit', resolve))
    fromFile.child.kill('SIGTERM')
    await stopped

    const fromEnv = await startServer(serverArgs, { PORT: String(envPort) }, { cwd: dir })
    expect(fromEnv.url).toBe(`http://127.0.0.1:${envPort}`)
    expect((await fetch(`${fromEnv.url}/health`)).status).toBe(200)
    await expect(fetch(`http://127.0.0.1:${filePort}/health`)).rejects.toThrow()
    // The same DATA_DIR (from .env, relative to the working directory): the account exists already.
    await vi.waitFor(() => expect(fromEnv.output()).toContain(`Portal:       http://127.0.0.1:${envPort}/portal`))
    expect(fromEnv.output()).not.toContain('Access code')
    await kill(fromEnv)
  }, 300_000)
})
