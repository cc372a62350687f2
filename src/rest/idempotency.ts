/** How a REST answer is stored with its `Idempotency-Key` and replayed (../services/idempotency.ts). */
import type { Execution } from '../services/idempotency.js'

export const restRequestText = (method: string, pathname: string, body: unknown) => `${method} ${pathname}\n${JSON.stringify(body)}`

export const restExecution = (perform: () => Promise<Response>): Execution<Response> => ({
  run: perform,
  store: async (response) =>
    response.ok
      ? { status: response.status, type: response.headers.get('content-type') ?? 'application/json', body: await response.clone().text() }
      : null,
  replay: (stored) =>
    // 204 and 205 answers carry no body, and a Response refuses to be given one.
    new Response(stored.status === 204 || stored.status === 205 ? null : stored.body, {
      status: stored.status,
      headers: { 'Content-Type': stored.type, 'Idempotent-Replayed': 'true' },
    }),
})
