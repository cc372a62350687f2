import { readFileSync } from 'node:fs'

/** Success examples captured from the demo data by `npm run generate:examples` (committed). */
export const EXAMPLES_PATH = new URL('./examples.json', import.meta.url)

let examples: Record<string, unknown> | undefined
export function exampleFor(method: string, path: string): unknown {
  if (!examples) {
    try {
      examples = JSON.parse(readFileSync(EXAMPLES_PATH, 'utf8')) as Record<string, unknown>
    } catch {
      examples = {}
    }
  }
  return examples[`${method} ${path}`]
}
