/**
 * The one way provider clients talk HTTP: Node's built-in fetch (undici) with a deadline that
 * covers connecting, waiting and reading the whole answer (AbortSignal.timeout), so a hanging
 * provider can never hang a request. Every failure becomes a ProviderError with a message safe to
 * show and store: it names the provider and the HTTP status, never a credential.
 */

export class ProviderError extends Error {
  constructor(readonly provider: string, message: string) {
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
export async function requestJson(provider: string, url: string, init: { method: string; headers: Record<string, string>; body?: unknown }, timeoutMs: number): Promise<unknown> {
  const signal = AbortSignal.timeout(timeoutMs)
  let status: number
  let text: string
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal,
      redirect: 'error',
    })
    status = response.status
    text = await response.text()
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
    const detail = body && typeof body === 'object' ? ((body as Record<string, unknown>).error_message ?? (body as Record<string, unknown>).message) : undefined
    throw new ProviderError(provider, `${provider} answered HTTP ${status}${detail ? `: ${excerpt(detail)}` : ''}`)
  }
  if (body === undefined) throw new ProviderError(provider, `${provider} answered with a body that is not JSON`)
  return body
}
