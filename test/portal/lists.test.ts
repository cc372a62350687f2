/** The portal's pickers list exactly what the server accepts. */
import { describe, expect, it } from 'vitest'
import { WEBHOOK_EVENTS as portalEvents } from '../../portal/src/lib/events.js'
import { SCOPES } from '../../portal/src/lib/scopes.js'
import { ALL_SCOPES } from '../../src/context/principal.js'
import { WEBHOOK_EVENTS } from '../../src/services/webhooks/outbox.js'

describe('portal pickers', () => {
  it('offer every documented key scope', () => {
    expect(SCOPES.map((s) => s.name).sort()).toEqual([...ALL_SCOPES].sort())
  })
  it('offer every webhook event', () => {
    expect(portalEvents.map((e) => e.name).sort()).toEqual([...WEBHOOK_EVENTS].sort())
  })
})
