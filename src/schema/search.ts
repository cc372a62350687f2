import { badRequest } from '../errors.js'

const MAX_TERM = 200

/**
 * A case-insensitive substring search as one LIKE on the generated,
 * trigram-indexed `search_text` column (customers and leads: lower(name ⏎ phone ⏎ email); projects:
 * lower(name ⏎ address ⏎ external_id); see prisma/schema.prisma).
 * Control characters are dropped, so a term can never span two fields, and LIKE's wildcards are
 * escaped (Prisma passes them through) so `%` and `_` match literally.
 */
export function searchFilter(search: string | null | undefined): { searchText: { contains: string } } | undefined {
  const term = search
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this drops
    ?.replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .toLowerCase()
  if (!term) return undefined
  if (term.length > MAX_TERM) throw badRequest(`search must be at most ${MAX_TERM} characters`)
  return { searchText: { contains: term.replace(/[\\%_]/g, '\\$&') } }
}
