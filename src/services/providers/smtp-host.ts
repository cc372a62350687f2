/**
 * Where the email integration may connect: an SMTP server on a public address, on a mail port
 * (25, 465, 587, 2525). Anything else would let a tenant probe the operator's network and read
 * the answers back in `last_error`. The same addresses are refused as for webhooks
 * (services/webhooks/url-safety.ts). The host is checked when the integration is saved, and
 * resolved again for every connection, which then goes to the vetted address itself, so a DNS
 * answer that changes in between cannot lead a send into the private network.
 * ALLOW_PRIVATE_SMTP_HOSTS=1 lifts both rules (local testing, or a relay on the operator's network).
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { badRequest } from '../../errors.js'
import { isPrivateAddress } from '../webhooks/url-safety.js'

export const SMTP_PORTS: readonly number[] = [25, 465, 587, 2525]
export const DEFAULT_SMTP_PORT = 587

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

export const PRIVATE_SMTP_MESSAGE = 'config.host must not resolve to a private, loopback or link-local address'
export const SMTP_PORT_MESSAGE = `config.port must be one of ${SMTP_PORTS.join(', ')}`

/** The address to connect to for `host`, or why there is none. */
export async function resolveSmtpHost(
  host: string,
  port: number,
  allowPrivate: boolean,
): Promise<{ ok: true; address: string } | { ok: false; reason: string }> {
  const bare = host.replace(/^\[|\]$/g, '')
  if (!isIP(bare) && !HOSTNAME.test(bare)) return { ok: false, reason: 'config.host must be a host name or an IP address' }
  if (allowPrivate) return { ok: true, address: bare }
  let addresses: string[]
  try {
    addresses = isIP(bare) ? [bare] : (await lookup(bare, { all: true })).map((answer) => answer.address)
  } catch {
    return { ok: false, reason: `config.host ${bare} does not resolve` }
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) return { ok: false, reason: PRIVATE_SMTP_MESSAGE }
  if (!SMTP_PORTS.includes(port)) return { ok: false, reason: SMTP_PORT_MESSAGE }
  return { ok: true, address: addresses[0] }
}

/** Checks the email integration's host and port when it is saved; a 400 naming the problem. */
export async function assertSafeSmtpHost(settings: Record<string, string | number>, allowPrivate: boolean): Promise<void> {
  if (settings.host === undefined) {
    if (settings.port !== undefined && !allowPrivate && !SMTP_PORTS.includes(Number(settings.port))) throw badRequest(SMTP_PORT_MESSAGE)
    return
  }
  const resolved = await resolveSmtpHost(String(settings.host), Number(settings.port ?? DEFAULT_SMTP_PORT), allowPrivate)
  if (!resolved.ok) throw badRequest(resolved.reason)
}
