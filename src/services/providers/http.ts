/**
 * The one way provider clients talk HTTP: undici's `request` (the library behind Node's fetch,
 * without the WHATWG stream layers: a third of fetch's CPU per call, which the worker's
 * throughput is made of) with a deadline that covers connecting, waiting and reading the whole
 * answer (AbortSignal.timeout), so a hanging provider can never hang a request. Redirects are
 * not followed: a 3xx is an error like any other non-2xx. Every failure becomes a ProviderError
 * with a message safe to show and store: it names the provider and the HTTP status, never a
 * credential.
 */
import { type Dispatcher, request } from 'undici'

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(message)
    this.name = 'ProviderError'
  }
}

export interface ProviderEndpoint {
  baseUrl: string
  timeoutMs: number
}

const excerpt = (value: unknown) => String(value).replace(/\s+/g, ' ').slice(0, 200)

/** Sends a JSON request and returns the parsed JSON answer of a 2xx response. */
export async function requestJson(
  provider: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
  timeoutMs: number,
): Promise<unknown> {
  const signal = AbortSignal.timeout(timeoutMs)
  let status: number
  let text: string
  try {
    const response = await request(url, {
      method: init.method as Dispatcher.HttpMethod,
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal,
    })
    status = response.statusCode
    text = await response.body.text()
  } catch (error) {
    if (signal.aborted) throw new ProviderError(provider, `${provider} did not answer within ${timeoutMs} ms`)
    throw new ProviderError(provider, `${provider} could not be reached: ${excerpt((error as Error).cause ?? (error as Error).message)}`)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (status < 200 || status > 299) {
    const detail =
      body && typeof body === 'object'
        ? ((body as Record<string, unknown>).error_message ?? (body as Record<string, unknown>).message)
        : undefined
    throw new ProviderError(provider, `${provider} answered HTTP ${status}${detail ? `: ${excerpt(detail)}` : ''}`)
  }
  if (body === undefined) throw new ProviderError(provider, `${provider} answered with a body that is not JSON`)
  return body
}
