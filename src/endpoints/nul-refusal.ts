/**
 * PostgreSQL cannot store or compare text holding U+0000: a NUL in any id, filter or string that
 * reached a query would fail there as a fault. Every GraphQL operation (and so every REST row,
 * which runs one) is checked before it executes, its variables and its literal arguments alike,
 * and refused with a 400 naming the value. Field rules (src/schema/rules.ts) refuse it too, with
 * the field's own name; this covers every argument that has no rule of its own.
 */
import { type DocumentNode, Kind, visit } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { badRequest } from '../errors.js'

const NUL = '\0'

export const useNulRefusal = (): Plugin => ({
  onExecute: ({ args, setResultAndStopExecution }) => {
    const problem = nulInVariables(args.variableValues) ?? nulInLiterals(args.document)
    if (problem) setResultAndStopExecution({ errors: [badRequest(`${problem} must not contain the character U+0000`)] })
  },
})

/** Walks the variables without recursion: JSON variables may nest far deeper than the stack allows. */
function nulInVariables(variables: Record<string, unknown> | null | undefined): string | undefined {
  if (!variables) return undefined
  const pending: [string, unknown][] = Object.entries(variables).map(([name, value]) => [`$${name}`, value])
  while (pending.length > 0) {
    const [path, value] = pending.pop()!
    if (typeof value === 'string') {
      if (value.includes(NUL)) return path
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes(NUL)) return path
        pending.push([Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, item])
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
      if (found === undefined && node.value.includes(NUL)) found = `Argument ${argument ?? 'value'}`
    },
  })
  return found
}
