/**
 * The REST surfaces, listed once: the router mounts them, the error handler answers in their
 * shapes, and each published OpenAPI document describes some of them.
 */
import { httpStatusByCode } from '../errors.js'
import { jsonResponse } from '../http/respond.js'
import { crmErrorBody } from './crm.js'
import { hubSurface } from './hub.js'
import { leadsSurface } from './leads.js'
import type { RestSurface } from './route.js'
import { v1Surface } from './v1.js'

export const surfaces: readonly RestSurface[] = [v1Surface, hubSurface, leadsSurface]

/** The published documents: the CRM API (/v1 + /hub/v1) and the lead/quote API (/api/v1). */
export const documents = { crm: [v1Surface, hubSurface], leads: [leadsSurface] } as const
export type DocumentName = keyof typeof documents

/** The surface whose prefix a path falls under, if any. */
export const surfaceFor = (pathname: string) =>
  surfaces.find((surface) => pathname === surface.prefix || pathname.startsWith(`${surface.prefix}/`))

/** GraphQL's own error shape, for what the router refuses on /graphql before Yoga sees it. */
const graphqlErrorBody = (status: number, message: string) => ({ errors: [{ message, extensions: { code: codeOf(status) } }] })
const codeOf = (status: number) => Object.entries(httpStatusByCode).find(([, s]) => s === status)?.[0] ?? 'INTERNAL_SERVER_ERROR'

/** An error answer in the shape of the surface the path belongs to (the CRM shape elsewhere). */
export function errorResponse(pathname: string, status: number, message: string, headers?: Record<string, string>): Response {
  const shape = pathname === '/graphql' ? graphqlErrorBody : (surfaceFor(pathname)?.errorBody ?? crmErrorBody)
  return jsonResponse(shape(status, message), status, headers)
}
