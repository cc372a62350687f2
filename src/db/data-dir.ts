/**
 * DATA_DIR: the embedded database and the generated secret key. It must be writable, and one
 * process at a time owns it: a second server, `npm run demo` or `npm run db:migrate` on the same
 * folder would open the embedded database beside the running one and lose data, so it is refused.
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { access, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import { StartupError } from '../env.js'

/** A crashed owner's lock counts as abandoned once it is this old (its owner refreshes it twice as often). */
const LOCK_STALE_MS = 10_000

/** Creates DATA_DIR if needed and checks this process may write there. */
export async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true })
  } catch (error) {
    throw new StartupError('DATA_DIR', `${dataDir} cannot be created (${reason(error)})`)
  }
  try {
    await access(dataDir, constants.W_OK | constants.X_OK)
  } catch (error) {
    throw new StartupError('DATA_DIR', `${dataDir} is not writable by this process (${reason(error)})`)
  }
}

/**
 * Takes DATA_DIR for this process until the returned function is called (or the process exits).
 * A lock left by a process that died is taken over once stale, so a restart right after a crash
 * waits up to LOCK_STALE_MS instead of failing.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: path.join(dataDir, 'data.lock'),
      stale: LOCK_STALE_MS,
      retries: { retries: LOCK_STALE_MS / 1_000 + 2, factor: 1, minTimeout: 1_000, maxTimeout: 1_000 },
      // Should the lock ever be taken over (this process stalled longer than LOCK_STALE_MS), say
      // so; exiting here would take the server down for what may be a false alarm.
      onCompromised: (error) => console.error(`DATA_DIR: the lock on ${dataDir} was lost (${error.message})`),
    })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new StartupError(
        'DATA_DIR',
        `${dataDir} is in use by another process (a running server, demo or migration); stop it or choose another DATA_DIR`,
      )
    }
    throw new StartupError('DATA_DIR', `${dataDir} cannot be locked (${reason(error)})`)
  }
}

/**
 * SECRET_KEY encrypts stored provider secrets. When it is not configured, one is generated
 * once into DATA_DIR (mode 0600) and reused on every start, so a restart can still decrypt.
 */
export async function resolveSecretKey(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured
  const file = path.join(dataDir, 'secret.key')
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch (error) {
    // A folder that cannot be created or written is the likelier cause: name that first.
    await prepareDataDir(dataDir)
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StartupError('DATA_DIR', `${file} cannot be read (${reason(error)}); or set SECRET_KEY`)
    }
  }
  const key = randomBytes(32).toString('base64url')
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' })
    return key
  } catch (error) {
    // Another process wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim()
    throw new StartupError('DATA_DIR', `${file} cannot be written (${reason(error)}); or set SECRET_KEY`)
  }
}

const reason = (error: unknown) => {
  const { code, message } = error as NodeJS.ErrnoException
  return code ?? message
}
