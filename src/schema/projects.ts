/**
 * Projects: one customer's job, moving through a pipeline. A status change to an automation
 * event type records that event and queues its messages, in the same transaction as the change.
 */
import { isTestKey } from '../context/principal.js'
import { db } from '../db.js'
import { badRequest, notFound } from '../errors.js'
import type { Communication, Prisma, ProjectEvent } from '../generated/prisma/client.js'
import { automationProject, recordEvent } from '../services/automations/engine.js'
import { AUTOMATION_EVENT_TYPES } from '../services/automations/library.js'
import { fireWebhookEvent } from '../services/webhooks/outbox.js'
import { projectJson } from '../services/webhooks/payloads.js'
import { builder } from './builder.js'
import { newestFirst } from './customers.js'
import { recordedEventFor } from './events.js'
import { pageType, pageWindow } from './paging.js'
import { accountOf } from './tenancy.js'
import { capped, jsonObject } from './validation.js'

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const MAX_VALUE = 1e12

export const Project = builder.prismaObject('Project', {
  fields: (t) => ({
    id: t.exposeID('id'),
    customerId: t.exposeString('customerId'),
    name: t.exposeString('name', { nullable: true }),
    pipelineStage: t.exposeString('pipelineStage', { nullable: true }),
    projectStatus: t.exposeString('projectStatus', { nullable: true }),
    address: t.exposeString('address', { nullable: true }),
    value: t.float({ nullable: true, resolve: (p) => (p.value === null ? null : Number(p.value)) }),
    buildDate: t.string({ nullable: true, description: 'YYYY-MM-DD', resolve: (p) => p.buildDate?.toISOString().slice(0, 10) ?? null }),
    metadata: t.expose('metadata', { type: 'JSON' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    customer: t.relation('customer'),
  }),
})

const ProjectPage = pageType('Project', () => db.project)

const ProjectInput = builder.inputType('ProjectInput', {
  description: 'Without `id` a project is created for `customerId`; with `id` that project is updated',
  fields: (t) => ({
    id: t.id(),
    customerId: t.id(),
    name: t.string(),
    pipelineStage: t.string(),
    projectStatus: t.string(),
    address: t.string(),
    value: t.float(),
    buildDate: t.string({ description: 'YYYY-MM-DD' }),
    metadata: t.field({ type: 'JSON' }),
  }),
})

const ProjectSave = builder.objectRef<{ created: boolean; id: string }>('ProjectSave').implement({
  fields: (t) => ({
    created: t.exposeBoolean('created'),
    project: t.prismaField({ type: 'Project', resolve: (query, r) => db.project.findUniqueOrThrow({ ...query, where: { id: r.id } }) }),
  }),
})

interface StatusChange {
  projectId: string
  /** The automation event and the messages it queued, as recorded. */
  event: ProjectEvent | null
  communications: Communication[]
}

const ProjectStatusChange = builder.objectRef<StatusChange>('ProjectStatusChange').implement({
  fields: (t) => ({
    project: t.prismaField({
      type: 'Project',
      resolve: (query, r) => db.project.findUniqueOrThrow({ ...query, where: { id: r.projectId } }),
    }),
    event: t.prismaField({
      type: 'ProjectEvent',
      nullable: true,
      description: 'The automation event the new status recorded, if any',
      resolve: (query, r) => recordedEventFor(query, r.event, r.communications),
    }),
    communications: t.prismaField({
      type: ['Communication'],
      description: 'The messages that event queued',
      resolve: (_query, r) => r.communications, // the rows as recorded (oldest first): nothing to read back
    }),
  }),
})

function projectFilter(
  accountId: string,
  args: { pipelineStage?: string | null; projectStatus?: string | null; customerId?: string | number | null },
): Prisma.ProjectWhereInput {
  return {
    accountId,
    ...(args.pipelineStage ? { pipelineStage: args.pipelineStage } : {}),
    ...(args.projectStatus ? { projectStatus: args.projectStatus } : {}),
    ...(args.customerId ? { customerId: String(args.customerId) } : {}),
  }
}

function buildDate(value: string | null | undefined): Date | null | undefined {
  if (value === null || value === undefined) return value
  const date = new Date(`${value}T00:00:00Z`)
  if (!DATE_ONLY.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw badRequest('build_date must be a date as YYYY-MM-DD')
  }
  return date
}

function projectData(input: typeof ProjectInput.$inferInput) {
  if (input.value !== null && input.value !== undefined && (!Number.isFinite(input.value) || Math.abs(input.value) >= MAX_VALUE)) {
    throw badRequest(`value must be a number below ${MAX_VALUE}`)
  }
  const fields = {
    name: capped(input.name, 'name', 200),
    pipelineStage: capped(input.pipelineStage, 'pipeline_stage', 100),
    projectStatus: capped(input.projectStatus, 'project_status', 100),
    address: capped(input.address, 'address', 500),
    value: input.value === undefined ? undefined : input.value,
    buildDate: buildDate(input.buildDate),
    metadata: jsonObject(input.metadata, 'metadata') as Prisma.InputJsonObject | undefined,
  }
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<typeof fields>
}

async function saveProject(accountId: string, input: typeof ProjectInput.$inferInput) {
  const data = projectData(input)
  if (input.customerId !== null && input.customerId !== undefined) {
    const customer = await db.customer.findFirst({ where: { id: String(input.customerId), accountId }, select: { id: true } })
    if (!customer) throw notFound('Customer not found')
  }
  const customerId = input.customerId ? String(input.customerId) : undefined
  if (input.id) {
    const { count } = await db.project.updateMany({ where: { id: String(input.id), accountId }, data: { ...data, customerId } })
    if (count === 0) throw notFound('Project not found')
    return { created: false, id: String(input.id) }
  }
  if (!customerId) throw badRequest('customer_id is required')
  const created = await db.project.create({ data: { ...data, accountId, customerId }, select: { id: true } })
  return { created: true, id: created.id }
}

/**
 * Applies a status change; when `project_status` changes to an automation event type, records
 * that event (`source: status_change`) and queues its messages. The row lock makes concurrent
 * changes see each other's status, so one change records one event.
 */
async function changeStatus(
  accountId: string,
  id: string,
  projectStatus: string | null | undefined,
  pipelineStage: string | null | undefined,
  /** Through a test key: the messages the event queues never reach a provider. */
  test: boolean,
): Promise<StatusChange> {
  if (!projectStatus && !pipelineStage) throw badRequest('project_status or pipeline_stage is required')
  capped(projectStatus, 'project_status', 100)
  capped(pipelineStage, 'pipeline_stage', 100)
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ project_status: string | null; pipeline_stage: string | null }[]>`
      SELECT project_status, pipeline_stage FROM projects WHERE id = ${id} AND account_id = ${accountId} FOR UPDATE`
    if (locked.length === 0) throw notFound('Project not found')
    const previous = locked[0].project_status
    const project = await tx.project.update({
      where: { id },
      data: { ...(projectStatus ? { projectStatus } : {}), ...(pipelineStage ? { pipelineStage } : {}) },
      ...automationProject(projectStatus ?? ''),
    })
    if (project.projectStatus !== previous || project.pipelineStage !== locked[0].pipeline_stage) {
      await fireWebhookEvent(tx, accountId, 'project.status_changed', projectJson(project), {
        previous: { project_status: previous, pipeline_stage: locked[0].pipeline_stage },
      })
    }
    if (!projectStatus || projectStatus === previous || !AUTOMATION_EVENT_TYPES.includes(projectStatus)) {
      return { projectId: id, event: null, communications: [] }
    }
    const data = { previous_status: previous, project_status: projectStatus, pipeline_stage: project.pipelineStage }
    const recorded = await recordEvent(tx, project, {
      eventType: projectStatus,
      data,
      occurredAt: new Date(),
      source: 'status_change',
      test,
    })
    return { projectId: id, ...recorded }
  })
}

builder.queryFields((t) => {
  const filters = { pipelineStage: t.arg.string(), projectStatus: t.arg.string(), customerId: t.arg.id() }
  return {
    project: t.prismaField({
      type: 'Project',
      nullable: true,
      authScopes: { scope: 'read:hub' },
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, ctx) => db.project.findFirst({ ...query, where: { id: String(args.id), accountId: accountOf(ctx) } }),
    }),
    projects: t.prismaConnection({
      type: 'Project',
      cursor: 'id',
      authScopes: { scope: 'read:hub' },
      args: filters,
      totalCount: (_root, args, ctx) => db.project.count({ where: projectFilter(accountOf(ctx), args) }),
      resolve: (query, _root, args, ctx) =>
        db.project.findMany({ ...query, where: projectFilter(accountOf(ctx), args), orderBy: newestFirst }),
    }),
    projectPage: t.field({
      type: ProjectPage,
      authScopes: { scope: 'read:hub' },
      args: { ...filters, limit: t.arg.int(), offset: t.arg.int() },
      resolve: (_root, args, ctx) => ({ where: projectFilter(accountOf(ctx), args), orderBy: newestFirst, ...pageWindow(args) }),
    }),
  }
})

builder.mutationFields((t) => ({
  saveProject: t.field({
    type: ProjectSave,
    authScopes: { scope: 'write:hub' },
    args: { input: t.arg({ type: ProjectInput, required: true }) },
    resolve: (_root, { input }, ctx) => saveProject(accountOf(ctx), input),
  }),
  updateProjectStatus: t.field({
    type: ProjectStatusChange,
    authScopes: { scope: 'write:hub' },
    args: { id: t.arg.id({ required: true }), projectStatus: t.arg.string(), pipelineStage: t.arg.string() },
    resolve: (_root, args, ctx) =>
      changeStatus(accountOf(ctx), String(args.id), args.projectStatus, args.pipelineStage, isTestKey(ctx.principal)),
  }),
}))
