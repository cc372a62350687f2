/**
 * Contract checking: every REST response a test receives is validated against the generated
 * OpenAPI document (status documented, body matching its schema) by ajv, a validator independent
 * of the generator. A route whose behaviour drifts from its document fails whichever test hit it.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { openApiDocument } from '../../src/rest/openapi/apis.js'
import { schema } from '../../src/schema/index.js'

type Operation = { responses: Record<string, { content?: Record<string, { schema?: object }> }> }
type OpenApi = { paths: Record<string, Record<string, Operation>>; components?: object }

/** A body schema with its document's components beside it, so `#/components/…` references resolve. */
export const withComponents = (schema: object, doc: { components?: object }) => ({ ...schema, components: doc.components })

const ajv = new Ajv2020({ strict: false, allErrors: true })
;(addFormats as unknown as (a: Ajv2020) => void)(ajv)

let routes: { method: string; pattern: RegExp; path: string; operation: Operation; doc: OpenApi }[] | undefined
const validators = new Map<string, ValidateFunction>()

function operations() {
  routes ??= [openApiDocument('crm', schema), openApiDocument('leads', schema)].flatMap((doc) =>
    Object.entries((doc as OpenApi).paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
        operation,
        doc: doc as OpenApi,
      })),
    ),
  )
  return routes
}

/** Throws when a documented route answered something its document does not describe. */
export async function checkContract(method: string, url: string, response: Response): Promise<void> {
  const { pathname } = new URL(url)
  if (!/^\/(v1|hub\/v1|api\/v1)\//.test(pathname) || method === 'HEAD') return
  const match = operations().find((r) => r.method === method && r.pattern.test(pathname))
  if (!match) return // an undocumented path or method: its 404/405 is the surface's rule, not an operation's
  const documented = match.operation.responses[String(response.status)]
  if (!documented)
    throw new Error(`Contract: ${method} ${match.path} answered ${response.status}, which its OpenAPI document does not list`)
  const type = response.headers.get('content-type') ?? ''
  if (!type.startsWith('application/json')) {
    if (!documented.content || !Object.keys(documented.content).some((t) => type.startsWith(t.split(';')[0]))) {
      throw new Error(`Contract: ${method} ${match.path} ${response.status} answered ${type}, which is not documented`)
    }
    return
  }
  const schemaOfBody = documented.content?.['application/json']?.schema
  if (!schemaOfBody) throw new Error(`Contract: ${method} ${match.path} ${response.status} has no documented JSON body`)
  const key = `${method} ${match.path} ${response.status}`
  let validate = validators.get(key)
  if (!validate) {
    validate = ajv.compile(withComponents(schemaOfBody, match.doc))
    validators.set(key, validate)
  }
  const body = await response.clone().json()
  if (!validate(body)) {
    throw new Error(
      `Contract: ${key} body does not match its OpenAPI schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
    )
  }
}
