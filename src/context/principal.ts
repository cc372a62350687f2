/**
 * Who is calling. Every request resolves to exactly one principal:
 * an API key (account + scopes), a portal session (whole account), the operator's admin
 * token, or nobody.
 */
export const CRM_SCOPES = ['read:conversations', 'read:transcripts', 'read:hub', 'write:hub'] as const
export const LEAD_SCOPES = ['leads:read', 'leads:write', 'quotes:read', 'sms:send', 'appointments:read', 'pipeline:read'] as const
/** Managing the account's webhook endpoints, their deliveries and replays (/hub/v1/webhooks and GraphQL). */
export const WEBHOOK_SCOPES = ['webhooks:read', 'webhooks:write'] as const
export const ALL_SCOPES = [...CRM_SCOPES, ...LEAD_SCOPES, ...WEBHOOK_SCOPES] as const
export type Scope = (typeof ALL_SCOPES)[number]

export const isScope = (value: string): value is Scope => (ALL_SCOPES as readonly string[]).includes(value)

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'admin' }
  | { kind: 'session'; accountId: string; sessionId: string }
  | { kind: 'apiKey'; accountId: string; keyId: string; mode: 'LIVE' | 'TEST'; scopes: readonly string[] }

export const accountIdOf = (p: Principal): string | null => (p.kind === 'session' || p.kind === 'apiKey' ? p.accountId : null)

/** Who the change feed names as the author of this principal's writes. */
export function actorOf(p: Principal): string | undefined {
  if (p.kind === 'apiKey') return `api_key:${p.keyId}`
  if (p.kind === 'session') return `portal:${p.sessionId}`
  if (p.kind === 'admin') return 'operator'
  return undefined
}

/** Portal sessions see their whole account; keys see what their scopes allow. */
export function hasScope(p: Principal, scope: Scope): boolean {
  if (p.kind === 'session') return true
  if (p.kind === 'apiKey') return p.scopes.includes(scope)
  return false
}

/** Test keys never reach a provider and spend no credits. */
export const isTestKey = (p: Principal) => p.kind === 'apiKey' && p.mode === 'TEST'
