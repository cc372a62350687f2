/**
 * The portal's browser tests: Debian's Chromium driven by playwright-core against the real app,
 * served on a loopback port so the built portal (portal/out) and /graphql share one origin.
 */
import { existsSync, mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import { type Browser, chromium, type Page } from 'playwright-core'
import { type App, createApp } from '../../src/app.js'
import { testConfig, testDatabase } from './app.js'

export const CHROMIUM = '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM)

const portalOut = path.resolve(import.meta.dirname, '../../portal/out')

/** Starts a node http server over a fetch handler on a free loopback port. */
export async function listen(handler: (request: Request) => Promise<Response> | Response): Promise<{ server: Server; url: string }> {
  const server = createAdaptorServer({ fetch: (request: Request) => handler(request) }) as Server
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/**
 * The real app on a loopback port for one browser test file, with PUBLIC_URL set to it and a
 * client address of its own, so the file's sign-ins and requests have their own rate-limit budget.
 */
export async function portalServer(name: string): Promise<{ base: string; server: Server }> {
  await testDatabase()
  const clientIp = `${name}-test-${Date.now()}-${Math.random().toString(36).slice(2)}`
  let app: App | undefined
  const { server, url } = await listen((request) => (app as App).fetch(request, { clientIp }))
  app = createApp(testConfig({ PUBLIC_URL: url }))
  return { base: url, server }
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

/**
 * Collects what a person would see go wrong on a page: console errors, uncaught exceptions and
 * refused requests, the last by status and URL (the console's "Failed to load resource" line
 * does not name the resource).
 */
export function watchErrors(page: Page, errors: string[] = []): string[] {
  page.on('console', (message) => message.type() === 'error' && errors.push(`${page.url()}: ${message.text()}`))
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`))
  page.on('response', (response) => response.status() >= 400 && errors.push(`${page.url()}: ${response.status()} ${response.url()}`))
  return errors
}

/** A new desktop-sized page signed in with an account's access code, with the errors it records. */
export async function signInWithCode(browser: Browser, base: string, accessCode: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  page.setDefaultTimeout(20_000)
  const errors = watchErrors(page)
  await page.goto(`${base}/portal/`)
  await page.getByLabel('Access code').fill(accessCode)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL(/\/portal\/overview/)
  return { page, errors }
}

/** Where the browser tests' screenshots go (not committed). */
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots')
/** The widths every page is checked at: a phone and a desktop. */
export const WIDTHS = { phone: 390, desktop: 1280 } as const

/** Full-page screenshots of `page` at both widths, as `<name>-phone.png` and `<name>-desktop.png`; the page ends at desktop width. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  for (const [label, width] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width, height: 900 })
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true })
  }
  await page.setViewportSize({ width: WIDTHS.desktop, height: 900 })
}
