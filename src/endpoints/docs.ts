/**
 * The API reference: the generated OpenAPI documents at /openapi/*.json, rendered at /docs by
 * Swagger UI served from this server's own node_modules (no CDN), with a link to GraphiQL.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { GraphQLSchema } from 'graphql'
import type { Hono } from 'hono'
import type { AppEnv } from '../http/state.js'
import { openApiDocument } from '../rest/openapi/apis.js'

const assetsDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
  <style>body{margin:0;font-family:system-ui,sans-serif} nav{padding:12px 20px;background:#1b2a3a;color:#fff} nav a{color:#9fd1ff;margin-right:16px}</style>
</head>
<body>
  <nav>API reference · <a href="/openapi/crm.json">CRM API (OpenAPI)</a><a href="/openapi/leads.json">Lead/quote API (OpenAPI)</a><a href="/graphql">GraphQL (GraphiQL)</a></nav>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`

const init = `window.ui = SwaggerUIBundle({
  urls: [{ url: '/openapi/crm.json', name: 'CRM API (/v1, /hub/v1)' }, { url: '/openapi/leads.json', name: 'Lead/quote API (/api/v1)' }],
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
})`

/** /docs, its assets and the two OpenAPI documents, generated once at start-up. */
export function mountDocs(app: Hono<AppEnv>, schema: GraphQLSchema): void {
  const documents = { crm: JSON.stringify(openApiDocument('crm', schema)), leads: JSON.stringify(openApiDocument('leads', schema)) }
  for (const name of ['crm', 'leads'] as const) {
    app.get(`/openapi/${name}.json`, () => new Response(documents[name], { headers: { 'Content-Type': 'application/json' } }))
  }
  const html = () => new Response(page, { headers: { 'Content-Type': 'text/html; charset=utf-8' } })
  app.get('/docs', html)
  app.get('/docs/init.js', () => new Response(init, { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } }))
  app.get('/docs/assets/:name', async (c) => {
    const name = c.req.param('name')
    if (!Object.hasOwn(assets, name)) return c.notFound()
    const body = await readFile(path.join(assetsDir, name))
    return new Response(body, { headers: { 'Content-Type': assets[name], 'Cache-Control': 'public, max-age=86400' } })
  })
}
