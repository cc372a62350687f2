/** The documented API key scopes (shared spec operator.md), in the order shown. */
export const SCOPES = [
  { name: 'read:conversations', label: 'Read conversations' },
  { name: 'read:transcripts', label: 'Read transcripts' },
  { name: 'read:hub', label: 'Read the Hub API' },
  { name: 'write:hub', label: 'Write the Hub API' },
  { name: 'leads:read', label: 'Read leads' },
  { name: 'leads:write', label: 'Write leads' },
  { name: 'quotes:read', label: 'Read quotes' },
  { name: 'sms:send', label: 'Send SMS' },
  { name: 'appointments:read', label: 'Read appointments' },
  { name: 'pipeline:read', label: 'Read the pipeline' },
  { name: 'webhooks:read', label: 'Read webhook endpoints and deliveries' },
  { name: 'webhooks:write', label: 'Manage webhook endpoints and replay deliveries' },
  { name: 'audit:read', label: 'Read the audit log' },
] as const
