/**
 * The portal's browser tests: Debian's Chromium driven by playwright-core against the real app,
 * served on a loopback port so the built portal (portal/out) and /graphql share one origin.
 */
import { existsSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM)

const portalOut = path.resolve(import.meta.dirname, '../../portal/out')

/** Starts a node http server over a fetch handler on a free loopback port. */
export async function listen(handler: (request: Request) => Promise<Response> | Response): Promise<{ server: Server; url: string }> {
  const server = createAdaptorServer({ fetch: (request: Request) => handler(request) }) as Server
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

export const closeServer = (server: Server) => new Promise((resolve) => server.close(resolve))

/** Headless Chromium without the background traffic a test has no use for. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(path.join(portalOut, 'index.html')))
    throw new Error('portal/out is missing: run `npm run build:portal` (npm install does it)')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
