/**
 * A local SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps every message it
 * accepts, with the credentials it was given, so tests see exactly what nodemailer sent.
 * `failNext` makes the next deliveries answer 451 (a temporary failure).
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface SunkMail {
  from: string
  to: string[]
  raw: string
  user: string | undefined
}

export async function startSmtpSink(credentials = { user: 'mailer', pass: 'smtp-password-1' }) {
  const mails: SunkMail[] = []
  let failures = 0
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'], // no certificate in tests; production servers offer STARTTLS
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username })
      callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if (failures > 0) {
          failures--
          return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }))
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    host: '127.0.0.1',
    port: (server.server.address() as AddressInfo).port,
    mails,
    failNext: (count: number) => {
      failures = count
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
