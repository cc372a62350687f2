/**
 * Email through the account's own SMTP server (the `email` integration: host, port, username,
 * api_key = password, from_address), sent with nodemailer. Port 465 speaks TLS from the first
 * byte; other ports upgrade with STARTTLS when the server offers it. The connection goes to the
 * address vetted by ./smtp-host.ts, with the host's name kept for TLS. Every failure becomes a
 * ProviderError naming the stage and the server's reply code, never the password and never the
 * server's reply text (which would hand a tenant whatever a probed service answers).
 */
import { isIP } from 'node:net'
import nodemailer from 'nodemailer'
import { ProviderError } from './http.js'
import { resolveSmtpHost } from './smtp-host.js'

export interface SmtpSettings {
  host: string
  port: number
  username: string | null
  password: string
  from: string
}

export interface Email {
  to: string
  subject: string | null
  text: string
}

/** Sends one email; returns the Message-ID the server accepted it under. */
export async function sendEmail(
  settings: SmtpSettings,
  email: Email,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<string> {
  const { timeoutMs } = options
  const resolved = await resolveSmtpHost(settings.host, settings.port, options.allowPrivate)
  if (!resolved.ok)
    throw new ProviderError('Email', `The SMTP server ${settings.host}:${settings.port} was not contacted: ${resolved.reason}`)
  const name = settings.host.replace(/^\[|\]$/g, '')
  const transport = nodemailer.createTransport({
    host: resolved.address,
    // Certificates are checked against the name the tenant gave, not the address connected to.
    servername: isIP(name) ? undefined : name,
    port: settings.port,
    secure: settings.port === 465,
    auth: settings.username ? { user: settings.username, pass: settings.password } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  })
  try {
    const info = await transport.sendMail({ from: settings.from, to: email.to, subject: email.subject ?? '', text: email.text })
    if (info.rejected.length > 0) throw new ProviderError('Email', `The SMTP server refused the recipient ${email.to}`)
    return info.messageId
  } catch (error) {
    if (error instanceof ProviderError) throw error
    throw new ProviderError(
      'Email',
      `The SMTP server ${settings.host}:${settings.port} failed: ${describe(error as Error & { code?: string; responseCode?: number })}`,
    )
  } finally {
    transport.close()
  }
}

const STAGES: Record<string, string> = {
  EAUTH: 'the username or password was refused',
  EENVELOPE: 'the sender or a recipient was refused',
  EMESSAGE: 'the message was refused',
  ETLS: 'the TLS handshake failed',
  ETIMEDOUT: 'it did not answer in time',
  EDNS: 'its host does not resolve',
  ECONNECTION: 'the connection failed',
  ESOCKET: 'the connection failed',
  EPROTOCOL: 'it does not speak SMTP as expected',
}

/** What went wrong, by stage and reply code only: the server's own words are not repeated. */
function describe(error: Error & { code?: string; responseCode?: number }): string {
  const stage = (error.code && STAGES[error.code]) ?? 'the exchange failed'
  const code = [error.code, error.responseCode].filter(Boolean).join(' ')
  return code ? `${stage} (${code})` : stage
}
