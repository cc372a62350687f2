/**
 * Input refused before any operation executes, its variables and its literal arguments alike, with
 * a 400 naming the value (every REST row runs an operation, so this covers them too):
 *
 * - U+0000 in text: PostgreSQL cannot store or compare it, so a NUL in any id, filter or string that
 *   reached a query would fail there as a fault. Field rules (src/schema/rules.ts) refuse it too,
 *   with the field's own name; this covers every argument that has no rule of its own.
 * - Variables nested deeper than any input of the schema: the executors coerce variables
 *   recursively and would run out of stack (a 500) on JSON nested thousands of levels deep.
 */
import { type DocumentNode, Kind, visit } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { badRequest } from '../errors.js'

const NUL = '\0'

/** Deeper than any input type of the schema and than the JSON values the field rules allow (32 levels). */
const MAX_VARIABLE_DEPTH = 64

export const useInputRefusals = (): Plugin => ({
  onExecute: ({ args, setResultAndStopExecution }) => {
    const problem = variableProblem(args.variableValues) ?? nulInLiterals(args.document)
    if (problem) setResultAndStopExecution({ errors: [badRequest(problem)] })
  },
})

const nulProblem = (path: string) => `${path} must not contain the character U+0000`

/** Walks the variables without recursion: JSON variables may nest far deeper than the stack allows. */
function variableProblem(variables: Record<string, unknown> | null | undefined): string | undefined {
  if (!variables) return undefined
  const pending: [string, unknown, number][] = Object.entries(variables).map(([name, value]) => [`$${name}`, value, 0])
  while (pending.length > 0) {
    const [path, value, depth] = pending.pop()!
    if (typeof value === 'string') {
      if (value.includes(NUL)) return nulProblem(path)
    } else if (typeof value === 'object' && value !== null) {
      if (depth === MAX_VARIABLE_DEPTH) return `${path.split(/[.[]/)[0]} must not nest deeper than ${MAX_VARIABLE_DEPTH} levels`
      for (const [key, item] of Object.entries(value)) {
        if (key.includes(NUL)) return nulProblem(path)
        pending.push([Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, item, depth + 1])
      }
    }
  }
  return undefined
}

// A document's literals never change, and Yoga and the REST rows reuse parsed documents: each is walked once.
const literalsChecked = new WeakMap<DocumentNode, string | undefined>()

function nulInLiterals(document: DocumentNode): string | undefined {
  if (literalsChecked.has(document)) return literalsChecked.get(document)
  const found = findNulInLiterals(document)
  literalsChecked.set(document, found)
  return found
}

function findNulInLiterals(document: DocumentNode): string | undefined {
  let found: string | undefined
  let argument: string | undefined
  visit(document, {
    [Kind.ARGUMENT]: {
      enter: (node) => {
        argument = node.name.value
      },
    },
    [Kind.STRING]: (node) => {
      if (found === undefined && node.value.includes(NUL)) found = nulProblem(`Argument ${argument ?? 'value'}`)
    },
  })
  return found
}
