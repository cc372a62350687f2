import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

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
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await mkdir(dataDir, { recursive: true })
  const key = randomBytes(32).toString('base64url')
  // 'wx' fails if another process wrote it first; then read theirs.
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => undefined)
  return (await readFile(file, 'utf8')).trim()
}
