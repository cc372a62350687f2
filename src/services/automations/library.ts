/**
 * The default template library of automations.md: every account starts with one template per
 * row, editable afterwards. Offsets are minutes after the event (drip and reminder offsets are
 * the spec's decision rows: days 1, 3, 7, 14 and +1, +7, +23 days).
 */
import type { Channel } from '../../generated/prisma/enums.js'

export interface LibraryTemplate {
  eventType: string
  channel: Channel
  name: string
  subject?: string
  body: string
  delayMinutes: number
}

const DAY = 24 * 60

const hi = 'Hi {{customer.first_name}}'
const sign = '— {{account.name}}'

/** sms + email, both due the moment the event happens. */
function smsAndEmail(eventType: string, title: string, sms: string, email: string): LibraryTemplate[] {
  return [
    { eventType, channel: 'sms', name: `${title} (SMS)`, body: `${hi}, ${sms} ${sign}`, delayMinutes: 0 },
    {
      eventType,
      channel: 'email',
      name: `${title} (email)`,
      subject: `${title}: {{project.name}}`,
      body: `${hi},\n\n${email}\n\n${sign}`,
      delayMinutes: 0,
    },
  ]
}

export const DEFAULT_TEMPLATES: readonly LibraryTemplate[] = [
  {
    eventType: 'website_visited',
    channel: 'sms',
    name: 'Website visit follow-up (SMS)',
    delayMinutes: 0,
    body: `${hi}, thanks for visiting {{account.name}}! Reply here with any question about your project.`,
  },

  {
    eventType: 'process_abandoned',
    channel: 'sms',
    name: 'Abandoned quote (SMS)',
    delayMinutes: 0,
    body: `${hi}, looks like you didn't finish your quote. Want us to help? ${sign}`,
  },
  ...[1, 3, 7, 14].map(
    (day, i): LibraryTemplate => ({
      eventType: 'process_abandoned',
      channel: 'email',
      name: `Abandoned quote drip, day ${day} (email)`,
      delayMinutes: day * DAY,
      subject: ['Your quote is waiting', 'Still thinking it over?', 'Questions about your project?', 'Last reminder about your quote'][i],
      body: `${hi},\n\nYour quote for {{project.name}} is saved and ready whenever you are.\n\n${sign}`,
    }),
  ),

  ...smsAndEmail(
    'contract_ready',
    'Your contract is ready',
    'your contract for {{project.name}} is ready to review and sign.',
    'Your contract for {{project.name}} is ready. Please review and sign it at your convenience.',
  ),

  ...[1, 7, 23].map(
    (day): LibraryTemplate => ({
      eventType: 'contract_generated',
      channel: 'sms',
      name: `Contract reminder, day ${day} (SMS)`,
      delayMinutes: day * DAY,
      body: `${hi}, a friendly reminder that your contract for {{project.name}} is waiting for your signature. ${sign}`,
    }),
  ),

  ...smsAndEmail(
    'contract_signed',
    'Contract signed',
    'thanks for signing! We will be in touch to schedule {{project.name}}.',
    'Thank you for signing your contract for {{project.name}}. We will contact you shortly to schedule the work.',
  ),
  ...smsAndEmail(
    'build_day_confirmed',
    'Build day confirmed',
    'your build day is confirmed for {{project.build_date}}.',
    'Your build day for {{project.name}} is confirmed for {{project.build_date}}.',
  ),
  ...smsAndEmail(
    'material_order_placed',
    'Materials ordered',
    'we have ordered the materials for {{project.name}}.',
    'The materials for {{project.name}} have been ordered. We will let you know when they arrive.',
  ),
  ...smsAndEmail(
    'day_before_build',
    'We build tomorrow',
    'our crew arrives tomorrow at {{project.address}}.',
    'A reminder that our crew arrives tomorrow at {{project.address}}. Please make sure the site is accessible.',
  ),
  ...smsAndEmail(
    'weather_warning',
    'Weather warning',
    'we are watching the weather for your build on {{project.build_date}} and will keep you posted.',
    'We are watching the forecast for your build on {{project.build_date}} and will keep you posted.',
  ),
  ...smsAndEmail(
    'weather_delay',
    'Weather delay',
    'because of the weather we have to move your build. We will confirm a new date shortly.',
    'Because of the weather we have to postpone the work on {{project.name}}. We will confirm a new date shortly.',
  ),

  {
    eventType: 'install_complete_payment_pending',
    channel: 'sms',
    name: 'Payment reminder (SMS)',
    delayMinutes: DAY,
    body: `${hi}, your installation is complete! Your remaining balance for {{project.name}} is due. ${sign}`,
  },
  {
    eventType: 'install_complete_payment_pending',
    channel: 'email',
    name: 'Payment reminder (email)',
    delayMinutes: DAY,
    subject: 'Your installation is complete',
    body: `${hi},\n\nYour installation of {{project.name}} is complete. Your remaining balance is now due.\n\n${sign}`,
  },

  ...smsAndEmail(
    'paid_in_full',
    'Thank you',
    'we received your payment in full. Thank you for choosing us!',
    'We received your payment in full for {{project.name}}. Thank you for choosing us!',
  ),
]

/** The event types automations exist for; other event types are recorded but queue nothing. */
export const AUTOMATION_EVENT_TYPES: readonly string[] = [...new Set(DEFAULT_TEMPLATES.map((t) => t.eventType))]

/**
 * Superseding events (automations.md, Campaigns): recording the key cancels the still-pending
 * messages queued by the listed earlier events of the same project.
 */
export const SUPERSEDES: Readonly<Record<string, readonly string[]>> = {
  contract_ready: ['process_abandoned'],
  contract_generated: ['process_abandoned'],
  contract_signed: ['contract_generated', 'process_abandoned'],
  paid_in_full: ['install_complete_payment_pending'],
}
