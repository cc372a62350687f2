/**
 * The /api/v1 snake_case shape of each resource, for webhook bodies. The REST surface builds the
 * same shape with field aliases (src/rest/leads.ts); test/webhooks.test.ts checks they agree.
 */
import type { Appointment, Communication, Lead, Project, Quote, QuoteLineItem } from '../../generated/prisma/client.js'

const iso = (value: Date | null) => (value ? value.toISOString() : null)
const day = (value: Date | null) => (value ? value.toISOString().slice(0, 10) : null)
const num = (value: { toNumber(): number }) => value.toNumber()

export const leadJson = (lead: Lead) => ({
  id: lead.id,
  external_id: lead.externalId,
  name: lead.name,
  first_name: lead.firstName,
  last_name: lead.lastName,
  email: lead.email,
  phone: lead.phone,
  pipeline_stage: lead.pipelineStage,
  ai_status: lead.aiStatus,
  ai_score: lead.aiScore,
  ai_summary: lead.aiSummary,
  ai_enabled: lead.aiEnabled,
  source: lead.source,
  custom_data: lead.customData,
  metadata: lead.metadata,
  created_at: iso(lead.createdAt),
  updated_at: iso(lead.updatedAt),
})

export const quoteJson = (quote: Quote & { lineItems: QuoteLineItem[] }) => ({
  id: quote.id,
  quote_number: quote.quoteNumber,
  status: quote.status,
  subtotal: num(quote.subtotal),
  tax: num(quote.tax),
  total: num(quote.total),
  currency: quote.currency,
  line_items: quote.lineItems.map((item) => ({
    description: item.description,
    quantity: num(item.quantity),
    unit_price: num(item.unitPrice),
  })),
  metadata: quote.metadata,
  lead_id: quote.leadId,
  valid_until: day(quote.validUntil),
  created_at: iso(quote.createdAt),
  updated_at: iso(quote.updatedAt),
  sent_at: iso(quote.sentAt),
  viewed_at: iso(quote.viewedAt),
  accepted_at: iso(quote.acceptedAt),
  declined_at: iso(quote.declinedAt),
})

export const appointmentJson = (appointment: Appointment & { lead: Pick<Lead, 'name' | 'phone' | 'email'> | null }) => ({
  id: appointment.id,
  title: appointment.title,
  status: appointment.status,
  appointment_type: appointment.appointmentType,
  start_time: iso(appointment.startTime),
  end_time: iso(appointment.endTime),
  booked_by: appointment.bookedBy,
  lead_id: appointment.leadId,
  location: appointment.location,
  notes: appointment.notes,
  created_at: iso(appointment.createdAt),
  updated_at: iso(appointment.updatedAt),
  leads: appointment.lead ? { name: appointment.lead.name, phone: appointment.lead.phone, email: appointment.lead.email } : null,
})

/** The /hub/v1 shape of a project (src/rest/hub.ts, fragment ProjectRest). */
export const projectJson = (project: Project) => ({
  id: project.id,
  external_id: project.externalId,
  customer_id: project.customerId,
  name: project.name,
  pipeline_stage: project.pipelineStage,
  project_status: project.projectStatus,
  address: project.address,
  value: project.value === null ? null : num(project.value),
  build_date: day(project.buildDate),
  metadata: project.metadata,
  created_at: iso(project.createdAt),
  updated_at: iso(project.updatedAt),
})

/** The /hub/v1 shape of a communication (src/rest/hub.ts, fragment CommunicationRest). */
export const communicationJson = (c: Communication) => ({
  id: c.id,
  channel: c.channel,
  status: c.status,
  to: c.to,
  subject: c.subject,
  content: c.content,
  customer_id: c.customerId,
  project_id: c.projectId,
  lead_id: c.leadId,
  template_id: c.templateId,
  event_id: c.eventId,
  campaign_id: c.campaignId,
  provider: c.provider,
  provider_message_id: c.providerMessageId,
  scheduled_for: iso(c.scheduledFor),
  sent_at: iso(c.sentAt),
  attempts: c.attempts,
  last_error: c.lastError,
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
})
