/**
 * Sendblue (SMS and iMessage): `POST /api/send-message` with the key id and secret headers
 * (shared spec providers.md). Sendblue picks iMessage when the recipient has it and SMS otherwise.
 */
import { z } from 'zod'
import { type ProviderEndpoint, ProviderError, requestJson } from './http.js'

export interface SendblueCredentials {
  apiKey: string
  apiSecret: string
  fromNumber: string
}

export interface SendblueMessage {
  number: string
  content: string
  statusCallback: string
}

const Answer = z.object({
  message_handle: z.string().min(1),
  status: z.string(),
  error_message: z.string().nullish(),
})

/** Sends one message; returns Sendblue's `message_handle`. */
export async function sendblueSend(
  endpoint: ProviderEndpoint,
  credentials: SendblueCredentials,
  message: SendblueMessage,
): Promise<string> {
  const body = await requestJson(
    'Sendblue',
    `${endpoint.baseUrl}/api/send-message`,
    {
      method: 'POST',
      headers: { 'sb-api-key-id': credentials.apiKey, 'sb-api-secret-key': credentials.apiSecret },
      body: {
        number: message.number,
        from_number: credentials.fromNumber,
        content: message.content,
        status_callback: message.statusCallback,
      },
    },
    endpoint.timeoutMs,
  )
  const answer = Answer.safeParse(body)
  if (!answer.success) throw new ProviderError('Sendblue', 'Sendblue answered without a message_handle')
  // A 2xx answer can still carry a refusal (an unknown number, a blocked recipient).
  if (answer.data.status.toUpperCase() === 'FAILED') {
    throw new ProviderError(
      'Sendblue',
      `Sendblue refused the message${answer.data.error_message ? `: ${answer.data.error_message.slice(0, 200)}` : ''}`,
    )
  }
  return answer.data.message_handle
}
