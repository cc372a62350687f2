/**
 * How our REST answers are built: with the server adapter's own Response class, whose body (a
 * string or a Buffer) carries a Content-Length and is written to the socket in one piece, where a
 * native Response is a stream read back in chunks and ended with a separate write (~8% more list
 * requests per second; README, Performance). Replayed idempotent answers go out the same way as
 * the originals.
 *
 * A JSON answer is encoded to UTF-8 once, into a Buffer: given the string, the adapter flattened
 * JSON.stringify's rope to count its bytes and the socket encoded it again (3.5% of all allocation
 * on the `/v1` list).
 */
import { Response as AdapterResponse } from '@whatwg-node/server'

export function respond(body: string | Uint8Array<ArrayBuffer> | null, status: number, headers: HeadersInit): Response {
  return new AdapterResponse(body, { status, headers })
}

export const jsonResponse = (body: unknown, status: number, headers?: Record<string, string>): Response =>
  respond(Buffer.from(JSON.stringify(body)), status, { 'Content-Type': 'application/json', ...headers })
