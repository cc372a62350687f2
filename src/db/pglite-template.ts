/**
 * The template of a fresh embedded-database cluster, made once at install (`npm run build:server`,
 * run by postinstall and a container's build stage) so that a first start on an empty DATA_DIR
 * copies it instead of running PGlite's `initdb`, which needs ~760 MB for a few seconds
 * (decision 0028). The template is `cluster/` (the folder `initdb` makes, before any migration)
 * beside `pglite-version`, the PGlite release that made it: another release may lay out its
 * cluster differently, so a template it did not make is ignored and `initdb` runs as before.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'

/** Where install puts the template (git-ignored, carried by the container image with src/). */
export const PGLITE_TEMPLATE_DIR = path.resolve(import.meta.dirname, '../generated/pglite-template')

/** The installed PGlite's release, read from its package.json. */
export async function pgliteVersion(): Promise<string> {
  const manifest = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'))
  return (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version
}

/** The template's cluster folder when the installed PGlite made it, otherwise undefined. */
export async function templateCluster(templateDir: string): Promise<string | undefined> {
  const made = await readFile(path.join(templateDir, 'pglite-version'), 'utf8').catch(() => undefined)
  return made?.trim() === (await pgliteVersion()) ? path.join(templateDir, 'cluster') : undefined
}
