/**
 * Request bodies: JSON that is an object, within the size limit (checked before the body is
 * read by the router's body-limit middleware), refused with a clear 4xx otherwise.
 */
import { AppError } from '../errors.js'

export const MAX_BODY_BYTES = 1024 * 1024
export const tooLarge = (limit = MAX_BODY_BYTES) => new AppError('PAYLOAD_TOO_LARGE', `Request body exceeds ${limit / 1024 / 1024} MB`)

/** The body as text (empty when there is none). */
export async function bodyText(request: Request): Promise<string> {
  return request.body ? await request.text() : ''
}

/** A JSON object body; `{}` when the body is empty. */
export async function jsonObjectBody(request: Request): Promise<Record<string, unknown>> {
  const text = await bodyText(request)
  if (!text.trim()) return {}
  const type = request.headers.get('content-type') ?? 'application/json'
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON with Content-Type: application/json')
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new AppError('BAD_REQUEST', 'Request body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('BAD_REQUEST', 'Request body must be a JSON object')
  return body as Record<string, unknown>
}
