/**
 * Projects: one customer's job, moving through a pipeline. A status change to an automation
 * event type records that event and queues its messages, in the same transaction as the change.
 */
import { z } from 'zod'
import { isTestKey } from '../context/principal.js'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import type { Communication, Prisma, ProjectEvent } from '../generated/prisma/client.js'
import { automationProject, recordEvent } from '../services/automations/engine.js'
import { AUTOMATION_EVENT_TYPES } from '../services/automations/library.js'
import { fireWebhookEvent } from '../services/webhooks/outbox.js'
import { projectJson } from '../services/webhooks/payloads.js'
import { builder } from './builder.js'
import { recordedEventFor } from './events.js'
import { insertOrLock, ownExternalId } from './external-ids.js'
import { definedOnly, inputType } from './inputs.js'
import { childConnection, connectionType, resourceQueries } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { pageType } from './paging.js'
import { amount, day, externalId, id, jsonObject, text } from './rules.js'
import { searchFilter } from './search.js'
import { listSort, sortArgs } from './sorting.js'
import { accountOf } from './tenancy.js'

nodeType('Project', 'projects', 'read:hub')

export const Project = builder.prismaObject('Project', {
  description: "A job done for a customer; its events drive the account's automated messages",
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The project's id" }),
    customerId: t.exposeID('customerId', { description: 'The customer the project is for' }),
    externalId: t.exposeString('externalId', { nullable: true, description: "Your system's id for the project" }),
    name: t.exposeString('name', { nullable: true, description: 'The project name; null when not given' }),
    pipelineStage: t.exposeString('pipelineStage', {
      nullable: true,
      description: 'Free-form stage name, e.g. estimate; null when not set',
    }),
    projectStatus: t.exposeString('projectStatus', {
      nullable: true,
      description: 'Free-form status, e.g. contract_signed; null when not set',
    }),
    address: t.exposeString('address', { nullable: true, description: 'Where the work is, one free-text line; null when not given' }),
    value: t.float({
      nullable: true,
      description: 'The project value in the account currency, to the cent; null when not given',
      resolve: (p) => (p.value === null ? null : Number(p.value)),
    }),
    buildDate: t.string({ nullable: true, description: 'YYYY-MM-DD', resolve: (p) => p.buildDate?.toISOString().slice(0, 10) ?? null }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Free-form JSON object, stored as given' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the project was created' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the project last changed' }),
    customer: t.relation('customer', { description: 'The customer the project is for' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set only in the answer of a delete: deleted records are never listed',
    }),
  }),
})

const ProjectPage = pageType('Project', () => db.project)

/**
 * A project write: with `id` that project is updated; with `externalId` the account's project with
 * that external id is updated, or created when there is none; otherwise one is created for `customerId`.
 */
export const projectRules = z
  .object({
    id: id.optional().describe('Update the project with this id'),
    externalId: externalId
      .nullish()
      .describe("Your system's id for the project: updates the project with it, or creates it (with customer_id) when new"),
    customerId: id.optional().describe('The customer the project is for; required to create one'),
    name: text(200).nullish().describe('The project name'),
    pipelineStage: text(100).nullish().describe('Free-form stage name, e.g. lead, estimate, sold'),
    projectStatus: text(100).nullish().describe('Free-form status; saving does not record an event (use the status change)'),
    address: text(500).nullish().describe('Where the work is, one free-text line'),
    value: amount.nullish().describe('The project value in the account currency'),
    buildDate: day.nullish().describe('YYYY-MM-DD'),
    metadata: jsonObject.nullish().describe('Free-form JSON object, stored as given'),
  })
  .describe(
    'With `id` that project is updated; with `external_id` the project with it is updated, or created when new; otherwise a project is created for `customer_id`',
  )

/** Which fields identify the project a write is for (or, for a new one, its customer). */
export const projectIdentity = [['id'], ['customerId'], ['externalId']] as const

const ProjectInput = inputType('ProjectInput', projectRules, {
  checks: [{ check: (input) => Boolean(input.id || input.customerId || input.externalId), message: 'customer_id is required' }],
})

/** A status change: either or both of the new status and stage. */
export const statusRules = z.object({
  projectStatus: text(100).optional().describe('The new status; an automation event type records that event'),
  pipelineStage: text(100).optional().describe('The new pipeline stage'),
})

const ProjectSave = builder.objectRef<{ created: boolean; id: string }>('ProjectSave').implement({
  description: 'A project written by saveProject, and whether it is new',
  fields: (t) => ({
    created: t.exposeBoolean('created', { description: 'true when the project was created, false when updated' }),
    project: t.prismaField({
      type: 'Project',
      description: 'The project as written',
      resolve: (query, r) => db.project.findUniqueOrThrow({ ...query, where: { id: r.id } }),
    }),
  }),
})

interface StatusChange {
  projectId: string
  /** The automation event and the messages it queued, as recorded. */
  event: ProjectEvent | null
  communications: Communication[]
}

const ProjectStatusChange = builder.objectRef<StatusChange>('ProjectStatusChange').implement({
  description: "A project's new status or stage, with the event and messages it caused",
  fields: (t) => ({
    project: t.prismaField({
      type: 'Project',
      description: 'The project after the change',
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
  args: {
    pipelineStage?: string | null
    projectStatus?: string | null
    customerId?: string | number | null
    externalId?: string | null
    search?: string | null
  },
): Prisma.ProjectWhereInput {
  return {
    accountId,
    ...searchFilter(args.search),
    ...(args.externalId ? { externalId: args.externalId } : {}),
    ...(args.pipelineStage ? { pipelineStage: args.pipelineStage } : {}),
    ...(args.projectStatus ? { projectStatus: args.projectStatus } : {}),
    ...(args.customerId ? { customerId: String(args.customerId) } : {}),
  }
}

function projectData(input: typeof ProjectInput.$inferInput) {
  const { id: _id, customerId: _customer, buildDate, metadata, ...fields } = input
  return definedOnly({
    ...fields,
    buildDate: buildDate === undefined ? undefined : buildDate && new Date(`${buildDate}T00:00:00Z`),
    metadata: (metadata ?? undefined) as Prisma.InputJsonObject | undefined,
  })
}

type ProjectValues = typeof ProjectInput.$inferInput

async function saveProject(accountId: string, input: ProjectValues): Promise<{ created: boolean; id: string }> {
  const data = projectData(input)
  if (input.customerId !== null && input.customerId !== undefined) {
    const customer = await db.customer.findFirst({ where: { id: String(input.customerId), accountId }, select: { id: true } })
    if (!customer) throw notFound('Customer not found')
  }
  const customerId = input.customerId ? String(input.customerId) : undefined
  if (input.id) {
    const { count } = await ownExternalId('project', () =>
      db.project.updateMany({ where: { id: String(input.id), accountId }, data: { ...data, customerId } }),
    )
    if (count === 0) throw notFound('Project not found')
    return { created: false, id: String(input.id) }
  }
  if (input.externalId) return upsertByExternalId(accountId, input.externalId, data, customerId)
  if (!customerId) throw badRequest('customer_id is required') // the input's rule says so too
  const created = await db.project.create({ data: { ...data, accountId, customerId }, select: { id: true } })
  return { created: true, id: created.id }
}

/** Updates the project with this external id, or creates it for `customerId` (./external-ids.ts). */
function upsertByExternalId(accountId: string, externalId: string, data: ReturnType<typeof projectData>, customerId?: string) {
  return db.$transaction(async (tx) => {
    const insert = async () =>
      (
        await tx.project.createManyAndReturn({
          data: [{ ...data, accountId, customerId: customerId!, externalId }],
          skipDuplicates: true,
          select: { id: true },
        })
      )[0]
    const found = await insertOrLock(tx, 'projects', accountId, externalId, customerId ? insert : null)
    if (found.inserted) return { created: true, id: found.inserted.id }
    if (!found.existingId) throw badRequest('customer_id is required to create a project')
    await tx.project.update({ where: { id: found.existingId }, data: { ...data, customerId } })
    return { created: false, id: found.existingId }
  })
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
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ project_status: string | null; pipeline_stage: string | null }[]>`
      SELECT project_status, pipeline_stage FROM projects WHERE id = ${id} AND account_id = ${accountId} AND deleted_at IS NULL FOR UPDATE`
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

const ProjectConnection = connectionType('Project', Project)

export const projectSort = listSort('Project', ['createdAt', 'updatedAt'])

resourceQueries({
  model: 'Project',
  deletable: true,
  sort: projectSort,
  delegate: () => db.project,
  names: { one: 'project', many: 'projects', page: 'projectPage' },
  description: 'Projects, newest first',
  scope: 'read:hub',
  connection: ProjectConnection,
  page: ProjectPage,
  args: (t) => ({
    pipelineStage: t.arg.string({ description: 'Only projects at this stage' }),
    projectStatus: t.arg.string({ description: 'Only projects with this status' }),
    customerId: t.arg.id({ description: "Only this customer's projects" }),
    externalId: t.arg.string({ description: "Your system's id for the project" }),
    search: t.arg.string({ description: "Case-insensitive substring of the project's name, address or external id" }),
  }),
  where: projectFilter,
})

builder.prismaObjectFields('Customer', (t) => ({
  projects: t.connection(
    {
      type: Project,
      description: "The customer's projects, newest first",
      args: sortArgs(t, projectSort),
      resolve: (customer, args, ctx, info) =>
        childConnection(
          { table: 'projects', parentColumn: 'customer_id', sort: projectSort, softDeleted: true },
          db.project,
          customer.id,
          args,
          ctx,
          info,
        ) as never,
    },
    ProjectConnection,
  ),
}))

builder.mutationFields((t) => ({
  saveProject: t.field({
    type: ProjectSave,
    description: 'Creates a project, or updates the one with the id or externalId given (needs write:hub)',
    authScopes: { scope: 'write:hub' },
    args: { input: t.arg({ type: ProjectInput, required: true, description: 'The project to write' }) },
    resolve: (_root, { input }, ctx) => saveProject(accountOf(ctx), input),
  }),
  updateProjectStatus: t.field({
    type: ProjectStatusChange,
    description: "Changes a project's status or stage; an automation event type as status records that event (needs write:hub)",
    authScopes: { scope: 'write:hub' },
    args: {
      id: t.arg.id({ required: true, description: 'The project to change' }),
      projectStatus: t.arg.string({ validate: statusRules.shape.projectStatus, description: statusRules.shape.projectStatus.description }),
      pipelineStage: t.arg.string({ validate: statusRules.shape.pipelineStage, description: statusRules.shape.pipelineStage.description }),
    },
    resolve: (_root, args, ctx) =>
      changeStatus(accountOf(ctx), String(args.id), args.projectStatus, args.pipelineStage, isTestKey(ctx.principal)),
  }),
}))
