/**
 * Twilio's Messages API (shared spec providers.md): form-encoded POST with HTTP Basic auth
 * (Account SID, auth token) to `${TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json`.
 * A non-2xx answer, a network error or the 10 s timeout is a TwilioError; callers turn it into
 * a 502 without ever logging the credentials.
 */
export interface TwilioCredentials {
  accountSid: string
  authToken: string
  fromNumber: string
}

export interface TwilioMessage {
  sid: string
  status: string
}

export class TwilioError extends Error {}

export const TWILIO_TIMEOUT_MS = 10_000

export async function sendTwilioSms(
  apiUrl: string,
  credentials: TwilioCredentials,
  message: { to: string; body: string; statusCallback?: string },
): Promise<TwilioMessage> {
  const form = new URLSearchParams({ To: message.to, From: credentials.fromNumber, Body: message.body })
  if (message.statusCallback) form.set('StatusCallback', message.statusCallback)
  const url = `${apiUrl}/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}/Messages.json`
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form,
      signal: AbortSignal.timeout(TWILIO_TIMEOUT_MS),
    })
  } catch (error) {
    throw new TwilioError((error as Error).name === 'TimeoutError' ? 'Twilio did not answer in time' : 'Could not reach Twilio')
  }
  const answer = (await response.json().catch(() => null)) as { sid?: unknown; status?: unknown; message?: unknown; code?: unknown } | null
  if (!response.ok || typeof answer?.sid !== 'string') {
    const detail = typeof answer?.message === 'string' ? `: ${answer.message.slice(0, 200)}` : ''
    throw new TwilioError(`Twilio answered ${response.status}${detail}`)
  }
  return { sid: answer.sid, status: typeof answer.status === 'string' ? answer.status : 'queued' }
}
