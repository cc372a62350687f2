/** The static portal server (src/endpoints/portal.ts), on a throwaway export folder. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { servePortal } from '../../src/endpoints/portal.js'

let base: string
let root: string
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'portal-serve-'))
  root = `${base}/out/`
  await mkdir(path.join(root, '_next/static/chunks'), { recursive: true })
  await writeFile(path.join(root, 'index.html'), '<h1>sign in</h1>')
  await writeFile(path.join(root, 'keys.html'), '<h1>keys</h1>')
  await writeFile(path.join(root, 'index.txt'), 'sign-in payload')
  await writeFile(path.join(root, '404.html'), '<h1>not found</h1>')
  await writeFile(path.join(root, '_next/static/chunks/app.js'), 'console.log(1)')
  await writeFile(path.join(root, '..', 'secret.txt'), 'outside')
})
afterAll(() => rm(base, { recursive: true, force: true }))

const get = (p: string, method = 'GET', at = root) => servePortal(new Request(`http://crm.test${p}`, { method }), at)

describe('portal static files', () => {
  it('answers index.html for /portal and /portal/, and clean URLs from <page>.html', async () => {
    for (const p of ['/portal', '/portal/']) expect(await (await get(p)).text()).toBe('<h1>sign in</h1>')
    const keys = await get('/portal/keys')
    expect(keys.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(keys.headers.get('cache-control')).toBe('no-cache')
    expect(keys.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(await keys.text()).toBe('<h1>keys</h1>')
  })

  it("answers the sign-in page's router payload at /portal.txt, where the client router asks for it", async () => {
    const payload = await get('/portal.txt?next=%2Fkeys&_rsc=abc')
    expect(payload.status).toBe(200)
    expect(payload.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await payload.text()).toBe('sign-in payload')
  })

  it('caches the hashed assets for a year', async () => {
    const js = await get('/portal/_next/static/chunks/app.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
  })

  it('answers the 404 page for unknown paths and never leaves the folder', async () => {
    for (const p of [
      '/portal/nope',
      '/portal/../secret.txt',
      '/portal/%2e%2e/secret.txt',
      '/portal/..%2fsecret.txt',
      '/portal/%00',
      '/portal/%E0%A4%A',
    ]) {
      const response = await get(p)
      expect(response.status, p).toBe(404)
      expect(await response.text()).not.toContain('outside')
    }
  })

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get('/portal/keys', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect((await get('/portal/keys', 'POST')).status).toBe(405)
  })

  it('says so when the portal has not been built', async () => {
    const response = await get('/portal', 'GET', path.join(root, 'missing/'))
    expect(response.status).toBe(503)
    expect(await response.text()).toMatch(/portal has not been built/)
  })
})
