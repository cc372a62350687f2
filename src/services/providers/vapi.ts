/**
 * Vapi (AI voice calls): `POST /call` with the private key as a bearer token (shared spec
 * providers.md). The message content reaches the assistant as the `message` variable, and Vapi
 * reports the call's progress to this account's callback URL.
 */
import { z } from 'zod'
import { type ProviderEndpoint, ProviderError, requestJson } from './http.js'

export interface VapiCredentials {
  apiKey: string
  assistantId: string
  phoneNumberId: string
}

export interface VapiCall {
  number: string
  customerName: string | null
  content: string
  serverUrl: string
  metadata: Record<string, string>
}

const Call = z.object({ id: z.string().min(1), status: z.string().optional() })

/** Places one outbound call; returns Vapi's call id. */
export async function vapiCreateCall(endpoint: ProviderEndpoint, credentials: VapiCredentials, call: VapiCall): Promise<string> {
  const body = await requestJson(
    'Vapi',
    `${endpoint.baseUrl}/call`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${credentials.apiKey}` },
      body: {
        assistantId: credentials.assistantId,
        phoneNumberId: credentials.phoneNumberId,
        customer: { number: call.number, ...(call.customerName ? { name: call.customerName.slice(0, 40) } : {}) },
        assistantOverrides: { variableValues: { message: call.content }, server: { url: call.serverUrl } },
        metadata: call.metadata,
      },
    },
    endpoint.timeoutMs,
  )
  const answer = Call.safeParse(body)
  if (!answer.success) throw new ProviderError('Vapi', 'Vapi answered without a call id')
  return answer.data.id
}
