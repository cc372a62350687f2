/**
 * Email through the account's own SMTP server (the `email` integration: host, port, username,
 * api_key = password, from_address), sent with nodemailer. Port 465 speaks TLS from the first
 * byte; other ports upgrade with STARTTLS when the server offers it. Every failure becomes a
 * ProviderError naming the stage, never the password.
 */
import nodemailer from 'nodemailer'
import { ProviderError } from './http.js'

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
export async function sendEmail(settings: SmtpSettings, email: Email, timeoutMs: number): Promise<string> {
  const transport = nodemailer.createTransport({
    host: settings.host,
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

/** The error code and the server's answer, without echoing credentials (nodemailer never puts them in messages). */
function describe(error: Error & { code?: string; responseCode?: number }): string {
  const detail = error.responseCode ? `${error.responseCode} ${error.message}` : (error.code ?? error.message)
  return String(detail).replace(/\s+/g, ' ').slice(0, 200)
}
