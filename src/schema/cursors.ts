/**
 * Connection cursors are opaque and checked: a cursor is the position of a row in its list (its
 * sort key and id), signed with an HMAC keyed by SECRET_KEY and the list it belongs to: the list's
 * owner (the account, or the parent row) and its sort (field and order). A cursor the server did
 * not hand out for this list — forged, tampered with, taken from another account, or from the same
 * list sorted another way — is refused with one and the same 400, so a cursor can never tell
 * whether some row exists, and a walk cannot silently change order half-way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { badRequest } from '../errors.js'

/** Where a row sits in a list ordered by (sort key, id); every sort key is a timestamp. */
export interface Position {
  at: Date
  id: string
}

/** The list a cursor belongs to: whose rows, of which list, and in which order. */
export interface CursorList {
  owner: string
  /** The list's name, `Conversation`: the same position means nothing in another list. */
  name: string
  /** The Prisma field sorted on, `createdAt`. */
  field: string
  order: 'asc' | 'desc'
}

const sign = (secret: string, list: CursorList, payload: string) =>
  createHmac('sha256', secret).update(`${list.owner}\n${list.name}:${list.field}:${list.order}\n${payload}`).digest().subarray(0, 16)

export function encodeCursor(secret: string, list: CursorList, position: Position): string {
  const payload = `${position.at.getTime()}.${position.id}`
  return `${Buffer.from(payload).toString('base64url')}.${sign(secret, list, payload).toString('base64url')}`
}

export function decodeCursor(secret: string, list: CursorList, cursor: string): Position {
  const [encoded, tag] = cursor.split('.')
  const payload = Buffer.from(encoded ?? '', 'base64url').toString()
  const given = Buffer.from(tag ?? '', 'base64url')
  const expected = sign(secret, list, payload)
  const [millis, id] = [payload.slice(0, payload.indexOf('.')), payload.slice(payload.indexOf('.') + 1)]
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || !/^\d{1,15}$/.test(millis) || !id) {
    throw badRequest('Invalid cursor: use a cursor this list returned')
  }
  return { at: new Date(Number(millis)), id }
}
