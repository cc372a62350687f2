/**
 * Serves the portal's static export (portal/out, built at install by `npm run build:portal`)
 * under /portal: index.html for directories, `<page>.html` for clean URLs, the home page's
 * router payload at /portal.txt, the export's 404
 * page, long-lived caching for the content-hashed /_next/static files, and nothing outside
 * the export folder.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import type { AppEnv } from '../http/state.js'

export const PORTAL_BASE = '/portal'
const DEFAULT_ROOT = fileURLToPath(new URL('../../portal/out/', import.meta.url))

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
}

// The router's secureHeaders middleware adds the rest (nosniff, frame and referrer policies).
const securityHeaders = {
  'Content-Security-Policy': "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

/** The file under `root` that answers `relative` (already decoded), or null. */
async function resolveFile(root: string, relative: string): Promise<string | null> {
  const target = path.resolve(root, `.${path.posix.normalize(`/${relative}`)}`)
  if (target !== root.replace(/\/$/, '') && !target.startsWith(root)) return null
  const candidates =
    relative === ''
      ? [path.join(target, 'index.html')]
      : relative.endsWith('/')
        ? [path.join(target, 'index.html'), `${target}.html`]
        : [target, `${target}.html`, path.join(target, 'index.html')]
  for (const candidate of candidates) if (await isFile(candidate)) return candidate
  return null
}

async function fileResponse(file: string, status: number, method: string, cache: string): Promise<Response> {
  const body = await readFile(file)
  const headers = new Headers({
    'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(body.byteLength),
    'Cache-Control': cache,
    ...securityHeaders,
  })
  return new Response(method === 'HEAD' ? null : body, { status, headers })
}

/** The portal under /portal (GET and HEAD; the router answers other methods with 405). */
export function mountPortal(app: Hono<AppEnv>, root: string = DEFAULT_ROOT): void {
  app.get(PORTAL_BASE, (c) => servePortal(c.req.raw, root))
  app.get(`${PORTAL_BASE}/*`, (c) => servePortal(c.req.raw, root))
  app.get(HOME_PAYLOAD, (c) => servePortal(c.req.raw, root))
}

/**
 * The client router fetches the sign-in page's payload from the base path plus `.txt` (when a
 * page sends the visitor to `/`); the export writes it as index.txt.
 */
const HOME_PAYLOAD = `${PORTAL_BASE}.txt`

export async function servePortal(request: Request, root: string = DEFAULT_ROOT): Promise<Response> {
  if (!(await isFile(path.join(root, 'index.html')))) {
    return new Response('The portal has not been built: run `npm install` (or `npm run build:portal`) and restart.\n', {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '60' },
    })
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response('Method Not Allowed\n', {
      status: 405,
      headers: { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  const { pathname } = new URL(request.url)
  let relative: string
  try {
    relative = pathname === HOME_PAYLOAD ? 'index.txt' : decodeURIComponent(pathname.slice(PORTAL_BASE.length).replace(/^\/+/, ''))
  } catch {
    relative = '\0'
  }
  const safe = !relative.includes('\0') && !relative.split(/[\\/]/).includes('..')
  const file = safe ? await resolveFile(root, relative) : null
  if (file) {
    const immutable = relative.startsWith('_next/static/')
    return fileResponse(file, 200, request.method, immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
  }
  const notFound = path.join(root, '404.html')
  if (await isFile(notFound)) return fileResponse(notFound, 404, request.method, 'no-cache')
  return new Response('Not Found\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
}
