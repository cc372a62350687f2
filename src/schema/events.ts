/**
 * Project events: the history of what happened to a project, and the entry point of
 * automations. Recording one queues its messages (services/automations/engine.ts);
 * `simulateEvent` answers what recording it would queue, without storing anything.
 */
import { z } from 'zod'
import { isTestKey } from '../context/principal.js'
import { db } from '../db/client.js'
import { notFound } from '../errors.js'
import type { ProjectEvent as ProjectEventRow } from '../generated/prisma/client.js'
import { Channel, EventSource } from '../generated/prisma/enums.js'
import {
  automationProject,
  type PlannedMessage,
  planEvent,
  type RecordedEvent,
  recordEvent,
  supersededIds,
} from '../services/automations/engine.js'
import { AUTOMATION_EVENT_TYPES } from '../services/automations/library.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { childConnection, childPage, connectionType } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { CRM_WINDOW, pageType } from './paging.js'
import { id, jsonObject, timestamp } from './rules.js'
import { listSort, sortArgs } from './sorting.js'
import { accountOf } from './tenancy.js'

builder.enumType(EventSource, {
  name: 'EventSource',
  description: 'What recorded a project event',
  values: {
    api: { description: 'Recorded through the API (recordEvent or POST /events)' },
    status_change: { description: "Recorded by a change of the project's status or stage" },
  },
})

nodeType('ProjectEvent', 'project_events', 'read:hub')

export const ProjectEvent = builder.prismaObject('ProjectEvent', {
  description: "Something that happened to a project; an automation event type queues the templates' messages",
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The event's id" }),
    projectId: t.exposeID('projectId', { description: 'The project it happened to' }),
    eventType: t.exposeString('eventType', { description: 'What happened, e.g. contract_signed' }),
    data: t.expose('data', { type: 'JSON', description: 'Free-form JSON object; templates read it as {{event.data.<key>}}' }),
    source: t.expose('source', { type: EventSource, description: 'What recorded it' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it happened; message offsets count from it' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed' }),
    communicationIds: t.idList({
      description: 'The messages this event queued',
      select: { communications: { select: { id: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
      resolve: (event) => event.communications.map((c) => c.id),
    }),
  }),
})

const ProjectEventPage = pageType('ProjectEvent', () => db.projectEvent)
export const eventSort = listSort('ProjectEvent', ['createdAt', 'updatedAt', 'occurredAt'])

const ProjectEventConnection = connectionType('ProjectEvent', ProjectEvent)

builder.prismaObjectFields('Project', (t) => ({
  events: t.connection(
    {
      type: ProjectEvent,
      description: "The project's events, newest first",
      args: sortArgs(t, eventSort),
      resolve: (project, args, ctx, info) =>
        childConnection(
          { table: 'project_events', parentColumn: 'project_id', sort: eventSort },
          db.projectEvent,
          project.id,
          args,
          ctx,
          info,
        ) as never,
    },
    ProjectEventConnection,
  ),
  eventPage: t.field({
    type: ProjectEventPage,
    description: 'Events newest first, by offset (the REST layer pages this way)',
    args: {
      ...sortArgs(t, eventSort),
      limit: t.arg.int({ description: `How many events to return; ${CRM_WINDOW.defaultLimit} by default, at most ${CRM_WINDOW.maxLimit}` }),
      offset: t.arg.int({ description: 'How many events to skip; 0 by default' }),
    },
    // Counted in the statement that reads the project, as a conversation's messages are.
    select: { _count: { select: { events: true } } },
    extensions: { ownReads: true },
    resolve: (project, args) => childPage(eventSort, { projectId: project.id }, args, project._count.events) as never,
  }),
}))

/** An event type: what templates and statuses are keyed by. */
export const eventType = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1 to 100 letters, digits, or _ . : -')

export const eventRules = z.object({
  projectId: id.describe('The project the event happened to'),
  eventType: eventType.describe('An automation event type (e.g. contract_signed) queues its messages; any other is recorded only'),
  data: jsonObject.nullish().describe('Free-form; templates read it as {{event.data.<key>}}'),
  occurredAt: timestamp.nullish().describe('Defaults to now; message offsets count from it'),
})

const EventInput = inputType('EventInput', eventRules, { description: 'A project event to record' })

const EventRecorded = builder.objectRef<RecordedEvent>('EventRecorded').implement({
  description: 'A recorded project event and the messages it queued',
  fields: (t) => ({
    event: t.prismaField({
      type: 'ProjectEvent',
      description: 'The event as recorded',
      resolve: (query, r) => recordedEventFor(query, r.event, r.communications)!,
    }),
    // The rows as recorded (oldest first): nothing to read back. Relations selected on them are
    // loaded by the prisma plugin, batched.
    communications: t.prismaField({
      type: ['Communication'],
      description: 'The messages it queued, oldest first',
      resolve: (_query, r) => r.communications,
    }),
  }),
})

/**
 * The event as recorded when the query asks for no more than its columns and its messages' ids
 * (what both surfaces ask for); read back otherwise. Its messages are the ones it queued, in id
 * order, which is the order they were created in (UUIDv7).
 */
export function recordedEventFor(
  query: { include?: object; select?: object },
  event: ProjectEventRow | null,
  communications: { id: string }[],
) {
  // The query is read before anything else: the prisma plugin checks that a resolver used it.
  const fromMemory = !query.select && Object.keys(query.include ?? {}).every((relation) => relation === 'communications')
  if (!event) return null
  if (!fromMemory) return db.projectEvent.findUniqueOrThrow({ ...query, where: { id: event.id } })
  return { ...event, communications: communications.map(({ id }) => ({ id })) }
}

const SimulatedMessage = builder.objectRef<PlannedMessage>('SimulatedMessage').implement({
  description: 'A message an event would queue, rendered',
  fields: (t) => ({
    templateId: t.exposeID('templateId', { description: 'The template it is rendered from' }),
    channel: t.expose('channel', { type: Channel, description: 'How it would be sent' }),
    to: t.exposeString('to', {
      nullable: true,
      description: 'E.164 phone or email address; null when the customer has none for the channel',
    }),
    subject: t.exposeString('subject', { nullable: true, description: 'The rendered subject (email); null when the template has none' }),
    content: t.exposeString('content', { description: 'The rendered body' }),
    status: t.exposeString('status', { description: 'queued (due now) or scheduled' }),
    scheduledFor: t.expose('dueAt', { type: 'DateTime', description: 'When it falls due' }),
    skippedReason: t.exposeString('skippedReason', { nullable: true, description: 'Set when the message would not be queued' }),
  }),
})

interface Simulation {
  eventType: string
  messages: PlannedMessage[]
  cancels: string[]
}

const EventSimulation = builder.objectRef<Simulation>('EventSimulation').implement({
  description: 'What recording an event would do; nothing is stored',
  fields: (t) => ({
    eventType: t.exposeString('eventType', { description: 'The event type simulated' }),
    automated: t.boolean({
      description: 'Whether this event type has automations',
      resolve: (s) => AUTOMATION_EVENT_TYPES.includes(s.eventType),
    }),
    messages: t.field({
      type: [SimulatedMessage],
      description: 'The messages it would queue, one per active template of the event type',
      resolve: (s) => s.messages,
    }),
    cancels: t.idList({ description: 'Pending messages this event would cancel (superseded automations)', resolve: (s) => s.cancels }),
  }),
})

async function loadProject(accountId: string, projectId: string, eventType: string) {
  const project = await db.project.findFirst({ where: { id: projectId, accountId }, ...automationProject(eventType) })
  if (!project) throw notFound('Project not found')
  return project
}

builder.queryFields((t) => ({
  simulateEvent: t.field({
    type: EventSimulation,
    description: 'What recording this event would queue (rendered, with times) and cancel; stores nothing',
    authScopes: { scope: 'read:hub' },
    args: {
      projectId: t.arg.id({ required: true, description: 'The project the event would happen to' }),
      eventType: t.arg.string({ required: true, validate: eventType, description: 'The event type, e.g. contract_signed' }),
      data: t.arg({ type: 'JSON', validate: jsonObject.nullish(), description: 'Free-form JSON object, as recordEvent would take it' }),
    },
    resolve: async (_root, args, ctx) => {
      const accountId = accountOf(ctx)
      const project = await loadProject(accountId, String(args.projectId), args.eventType)
      const data = (args.data ?? {}) as Record<string, unknown>
      const cancels = await supersededIds(accountId, project.id, args.eventType)
      return {
        eventType: args.eventType,
        messages: planEvent(project, { eventType: args.eventType, data, occurredAt: new Date() }),
        cancels,
      }
    },
  }),
}))

builder.mutationFields((t) => ({
  recordEvent: t.field({
    type: EventRecorded,
    description: 'Records a project event and queues its automation messages, in one transaction',
    authScopes: { scope: 'write:hub' },
    args: { input: t.arg({ type: EventInput, required: true, description: 'The event to record' }) },
    resolve: async (_root, { input }, ctx) => {
      const data = input.data ?? {}
      const project = await loadProject(accountOf(ctx), String(input.projectId), input.eventType)
      const occurredAt = input.occurredAt ?? new Date()
      return recordEvent(db, project, { eventType: input.eventType, data, occurredAt, source: 'api', test: isTestKey(ctx.principal) })
    },
  }),
}))
