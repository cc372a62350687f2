/**
 * Connection cursors are opaque and checked: a cursor is the position of a row in its list (its
 * sort key and id), signed with an HMAC keyed by SECRET_KEY and the list's owner (the account, or
 * the parent row). A cursor the server did not hand out for this list — forged, tampered with,
 * or taken from another account — is refused with one and the same 400, so a cursor can never
 * tell whether some row exists.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { badRequest } from '../errors.js'

/** Where a row sits in a list ordered by (createdAt, id). */
export interface Position {
  createdAt: Date
  id: string
}

const sign = (secret: string, owner: string, payload: string) =>
  createHmac('sha256', secret).update(`${owner}\n${payload}`).digest().subarray(0, 16)

export function encodeCursor(secret: string, owner: string, position: Position): string {
  const payload = `${position.createdAt.getTime()}.${position.id}`
  return `${Buffer.from(payload).toString('base64url')}.${sign(secret, owner, payload).toString('base64url')}`
}

export function decodeCursor(secret: string, owner: string, cursor: string): Position {
  const [encoded, tag] = cursor.split('.')
  const payload = Buffer.from(encoded ?? '', 'base64url').toString()
  const given = Buffer.from(tag ?? '', 'base64url')
  const expected = sign(secret, owner, payload)
  const [millis, id] = [payload.slice(0, payload.indexOf('.')), payload.slice(payload.indexOf('.') + 1)]
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || !/^\d{1,15}$/.test(millis) || !id) {
    throw badRequest('Invalid cursor: use a cursor this list returned')
  }
  return { createdAt: new Date(Number(millis)), id }
}
