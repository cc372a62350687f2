/**
 * Where webhooks may go. Endpoint URLs must be https:// and must not reach private, loopback or
 * link-local addresses, unless the operator sets ALLOW_PRIVATE_WEBHOOK_URLS=1 (local testing;
 * then http:// is accepted too, since local receivers rarely have certificates). The check
 * runs when an endpoint is saved and again on every delivery: `guardedLookup` vets the address
 * the socket actually connects to, so a DNS answer that changes after the first check (DNS
 * rebinding) cannot redirect a delivery into the private network.
 */
import { type LookupAddress, type LookupOptions, lookup } from 'node:dns'
import { lookup as lookupAsync } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { badRequest } from '../../errors.js'

const blocked = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6')
}

/** True for loopback, private, link-local, CGNAT, multicast and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return isPrivateAddress(mapped[1])
  const family = isIP(address)
  if (family === 4) return blocked.check(address, 'ipv4')
  if (family === 6) return blocked.check(address, 'ipv6')
  return true // not an address at all: never connect to it
}

export const PRIVATE_ADDRESS_MESSAGE = 'Webhook URL must not resolve to a private, loopback or link-local address'

/** Validates an endpoint URL when it is saved; throws a 400 naming the problem. */
export async function assertSafeWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw badRequest('Webhook URL must be an absolute URL')
  }
  if (raw.length > 2000) throw badRequest('Webhook URL must be at most 2000 characters')
  const schemes = allowPrivate ? ['https:', 'http:'] : ['https:']
  if (!schemes.includes(url.protocol))
    throw badRequest(allowPrivate ? 'Webhook URL must use https:// or http://' : 'Webhook URL must use https://')
  if (url.username || url.password) throw badRequest('Webhook URL must not contain credentials')
  if (allowPrivate) return url.toString()
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : (await lookupAsync(host, { all: true })).map((a) => a.address)
  } catch {
    throw badRequest(`Webhook URL host ${host} does not resolve`)
  }
  if (addresses.some(isPrivateAddress)) throw badRequest(PRIVATE_ADDRESS_MESSAGE)
  return url.toString()
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/** A drop-in for dns.lookup that refuses private answers; pass it to http(s).request. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options }, (error, address, family) => {
    if (error) return callback(error, address, family)
    const answers = Array.isArray(address) ? address.map((a) => a.address) : [address]
    if (answers.some(isPrivateAddress))
      return callback(Object.assign(new Error(PRIVATE_ADDRESS_MESSAGE), { code: 'EPRIVATE' }), address, family)
    callback(null, address, family)
  })
}
