import { readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')

/** The node flags an npm script runs with (package.json), so tests and the bench run what operators run. */
export const nodeFlagsOf = (script: 'start' | 'worker'): string[] =>
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts[script].match(/--[\w-]+=\S+/g) ?? []
