/**
 * Invitation and password-reset links by email, through the account's own email integration
 * when it has one (src/services/providers/email.ts). Without one, the link shown to the person
 * who made it is the only copy.
 */
import type { Logger } from 'pino'
import type { Config } from '../../env.js'
import { loadSettings } from '../integrations.js'
import { senderFor } from '../senders.js'
import type { IssuedLink } from './links.js'

export type EmailOutcome = 'sent' | 'not_configured' | 'failed'

export async function emailLink(
  config: Config,
  accountId: string,
  to: string,
  message: { subject: string; intro: string },
  link: IssuedLink,
  log: { logger: Logger; requestId: string },
): Promise<EmailOutcome> {
  const settings = await loadSettings(config, accountId, 'email')
  if (!settings) return 'not_configured'
  const text = `${message.intro}\n\n${link.url}\n\nThe link works once, until ${link.expiresAt.toISOString()}.`
  try {
    await senderFor(config, accountId, 'email', settings)({ to, subject: message.subject, content: text } as never)
    return 'sent'
  } catch (error) {
    // The link is still shown to its maker and the portal says the email did not go; the log says why.
    log.logger.warn({ err: error, account_id: accountId, request_id: log.requestId }, 'could not email a user link')
    return 'failed'
  }
}
