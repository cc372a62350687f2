/**
 * How JSON answers are built: encoded to UTF-8 once, into a Buffer, so the server writes the body
 * in one piece with its Content-Length (@hono/node-server sends a Buffer-bodied Response without
 * reading it back as a stream).
 */
export const jsonResponse = (body: unknown, status = 200, headers?: Record<string, string>): Response =>
  new Response(Buffer.from(JSON.stringify(body)), { status, headers: { 'Content-Type': 'application/json', ...headers } })
