/**
 * Template rendering: `{{customer.first_name}}`-style placeholders over the customer, the
 * project, the account and the event (`event.type`, `event.occurred_at`, `event.data.<key>`).
 * Rendering never fails: a placeholder that resolves to nothing renders as empty text, and the
 * ones that can never resolve are listed by `unknownPlaceholders` so the template can report them.
 */

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g

/** The fields each root offers; `event.data.*` is free-form, so any key under it is accepted. */
const KNOWN_FIELDS: Record<string, readonly string[]> = {
  customer: ['id', 'external_id', 'name', 'first_name', 'last_name', 'email', 'phone', 'address'],
  project: ['id', 'name', 'address', 'pipeline_stage', 'project_status', 'value', 'build_date'],
  account: ['name'],
  event: ['type', 'occurred_at'],
}

export interface RenderScope {
  customer: {
    id: string
    externalId: string | null
    name: string | null
    firstName: string | null
    lastName: string | null
    email: string | null
    phone: string | null
    address: string | null
  }
  project: {
    id: string
    name: string | null
    address: string | null
    pipelineStage: string | null
    projectStatus: string | null
    value: unknown
    buildDate: Date | null
  }
  account: { name: string }
  event: { type: string; occurredAt: Date; data: Record<string, unknown> }
}

/** Every placeholder a template may use, in the form it is written (without braces); `event.data.<key>` stands for any key. */
export const KNOWN_PLACEHOLDERS: readonly string[] = [
  ...Object.entries(KNOWN_FIELDS).flatMap(([root, fields]) => fields.map((field) => `${root}.${field}`)),
  'event.data.<key>',
]

function isKnown(path: string): boolean {
  const [root, field, ...rest] = path.split('.')
  if (root === 'event' && field === 'data') return rest.length > 0 && rest.every(Boolean)
  return rest.length === 0 && (KNOWN_FIELDS[root]?.includes(field) ?? false)
}

/** Placeholders in `texts` that match no known field, in order of appearance, without repeats. */
export function unknownPlaceholders(...texts: (string | null | undefined)[]): string[] {
  const unknown = new Set<string>()
  for (const text of texts) {
    for (const [, path] of (text ?? '').matchAll(PLACEHOLDER)) if (!isKnown(path)) unknown.add(path)
  }
  return [...unknown]
}

/** The snake_case view templates address, built once per event. */
function flatten(scope: RenderScope): Record<string, unknown> {
  const { customer: c, project: p } = scope
  // Customers often arrive with only a full name; its first word is the natural greeting.
  const firstName = c.firstName ?? c.name?.trim().split(/\s+/)[0] ?? null
  return {
    'customer.id': c.id,
    'customer.external_id': c.externalId,
    'customer.name': c.name ?? [c.firstName, c.lastName].filter(Boolean).join(' '),
    'customer.first_name': firstName,
    'customer.last_name': c.lastName,
    'customer.email': c.email,
    'customer.phone': c.phone,
    'customer.address': c.address,
    'project.id': p.id,
    'project.name': p.name,
    'project.address': p.address ?? c.address,
    'project.pipeline_stage': p.pipelineStage,
    'project.project_status': p.projectStatus,
    'project.value': p.value === null ? null : String(p.value),
    'project.build_date': p.buildDate?.toISOString().slice(0, 10) ?? null,
    'account.name': scope.account.name,
    'event.type': scope.event.type,
    'event.occurred_at': scope.event.occurredAt.toISOString(),
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** Returns a renderer bound to one event's scope. */
export function renderer(scope: RenderScope): (text: string) => string {
  const values = flatten(scope)
  return (text) =>
    text.replace(PLACEHOLDER, (_, path: string) => {
      if (path.startsWith('event.data.')) {
        let value: unknown = scope.event.data
        for (const key of path.slice('event.data.'.length).split('.')) {
          value = value && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
        }
        return show(value)
      }
      return show(values[path])
    })
}
