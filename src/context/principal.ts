/**
 * Who is calling. Every request resolves to exactly one principal:
 * an API key (account + scopes), a portal session (a user, or the access code as the owner), the
 * operator's admin token, or nobody.
 */
export const CRM_SCOPES = ['read:conversations', 'read:transcripts', 'read:hub', 'write:hub'] as const
export const LEAD_SCOPES = ['leads:read', 'leads:write', 'quotes:read', 'sms:send', 'appointments:read', 'pipeline:read'] as const
/** Managing the account's webhook endpoints, their deliveries and replays (/hub/v1/webhooks and GraphQL). */
export const WEBHOOK_SCOPES = ['webhooks:read', 'webhooks:write'] as const
/** Reading the audit log of who did what (/hub/v1/audit-log and GraphQL). */
export const AUDIT_SCOPES = ['audit:read'] as const
export const ALL_SCOPES = [...CRM_SCOPES, ...LEAD_SCOPES, ...WEBHOOK_SCOPES, ...AUDIT_SCOPES] as const
export type Scope = (typeof ALL_SCOPES)[number]

export const isScope = (value: string): value is Scope => (ALL_SCOPES as readonly string[]).includes(value)

export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const
export type Role = (typeof ROLES)[number]

/**
 * What only the portal's people may do, beyond the API scopes. An API key never holds a power
 * except through a scope (`webhooks:write` manages webhooks, `write:hub` integrations).
 */
export const POWERS = ['manage:users', 'manage:keys', 'manage:integrations', 'manage:webhooks', 'manage:settings'] as const
export type Power = (typeof POWERS)[number]

const READ_SCOPES: readonly Scope[] = [
  'read:conversations',
  'read:transcripts',
  'read:hub',
  'leads:read',
  'quotes:read',
  'appointments:read',
  'pipeline:read',
  'webhooks:read',
]

/** Each role's scopes and powers (docs/users.md has the table). The access code signs in as owner. */
export const ROLE_GRANTS: Record<Role, { scopes: readonly Scope[]; powers: readonly Power[] }> = {
  owner: { scopes: ALL_SCOPES, powers: POWERS },
  admin: { scopes: ALL_SCOPES, powers: POWERS },
  member: { scopes: [...READ_SCOPES, 'write:hub', 'leads:write', 'sms:send'], powers: [] },
  viewer: { scopes: READ_SCOPES, powers: [] },
}

/** The powers an API key exercises through a scope it holds. */
export const POWER_SCOPES: Partial<Record<Power, Scope>> = { 'manage:integrations': 'write:hub', 'manage:webhooks': 'webhooks:write' }

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'admin' }
  /** `userId` null: signed in with the account's access code, which is the owner's way in. */
  | { kind: 'session'; accountId: string; sessionId: string; userId: string | null; role: Role }
  | { kind: 'apiKey'; accountId: string; keyId: string; mode: 'LIVE' | 'TEST'; scopes: readonly string[] }

export const accountIdOf = (p: Principal): string | null => (p.kind === 'session' || p.kind === 'apiKey' ? p.accountId : null)

/** Who the change feed and the audit log name as the author of this principal's writes. */
export function actorOf(p: Principal): string | undefined {
  if (p.kind === 'apiKey') return `api_key:${p.keyId}`
  if (p.kind === 'session') return p.userId ? `user:${p.userId}` : `portal:${p.sessionId}`
  if (p.kind === 'admin') return 'operator'
  return undefined
}

/** Portal sessions hold their role's scopes; keys what they were given. */
export function hasScope(p: Principal, scope: Scope): boolean {
  if (p.kind === 'session') return ROLE_GRANTS[p.role].scopes.includes(scope)
  if (p.kind === 'apiKey') return p.scopes.includes(scope)
  return false
}

export function hasPower(p: Principal, power: Power): boolean {
  if (p.kind === 'session') return ROLE_GRANTS[p.role].powers.includes(power)
  const scope = POWER_SCOPES[power]
  return p.kind === 'apiKey' && scope !== undefined && p.scopes.includes(scope)
}

/** Test keys never reach a provider and spend no credits. */
export const isTestKey = (p: Principal) => p.kind === 'apiKey' && p.mode === 'TEST'
