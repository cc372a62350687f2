/** Webhook events an endpoint can subscribe to (shared spec leads-api.md). */
export const WEBHOOK_EVENTS = [
  { name: 'lead.created', label: 'A lead is created' },
  { name: 'lead.updated', label: 'A lead changes' },
  { name: 'quote.accepted', label: 'A quote is accepted' },
  { name: 'quote.declined', label: 'A quote is declined' },
  { name: 'appointment.booked', label: 'An appointment is booked' },
  { name: 'sale.completed', label: 'A sale is completed' },
  { name: 'project.status_changed', label: "A project's status changes" },
  { name: 'communication.sent', label: 'A message is sent' },
  { name: 'communication.failed', label: 'A message fails' },
] as const
