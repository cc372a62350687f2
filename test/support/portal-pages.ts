/**
 * Every account page of the portal: each folder of portal/src/app whose page is framed by
 * AccountShell, read from the sources so a new page is visited by the browser tests without
 * being listed by hand.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const app = path.resolve(import.meta.dirname, '../../portal/src/app')

export const ACCOUNT_PAGES: readonly string[] = readdirSync(app, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((name) => {
    const page = path.join(app, name, 'page.tsx')
    return existsSync(page) && readFileSync(page, 'utf8').includes('<AccountShell')
  })
  .sort()
