/**
 * Message templates: what each automation event sends. Every account starts with the default
 * library (services/automations/library.ts) and edits it here. Placeholders that match nothing
 * are kept (they render as empty text) and reported in `unknownPlaceholders`.
 */
import { z } from 'zod'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import { Channel } from '../generated/prisma/enums.js'
import { AUTOMATION_EVENT_TYPES } from '../services/automations/library.js'
import { unknownPlaceholders } from '../services/automations/render.js'
import { builder } from './builder.js'
import { ChannelType } from './communications.js'
import { definedOnly, inputType } from './inputs.js'
import { connectionType, resourceQueries } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { pageType } from './paging.js'
import { requiredText, text } from './rules.js'
import { listSort } from './sorting.js'
import { accountOf } from './tenancy.js'

const MAX_BODY = 5_000
/** A year: the longest drip a template may wait after its event. */
const MAX_DELAY_MINUTES = 366 * 24 * 60

nodeType('Template', 'templates', 'read:hub')

export const Template = builder.prismaObject('Template', {
  description: 'A message that an automation event type sends, rendered with {{placeholders}}',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The template's id" }),
    name: t.exposeString('name', { description: 'A name for people, shown in the portal' }),
    eventType: t.exposeString('eventType', { description: 'The automation event type it answers, e.g. contract_signed' }),
    channel: t.expose('channel', { type: Channel, description: 'How its messages are sent' }),
    subject: t.exposeString('subject', { nullable: true, description: 'Email only' }),
    body: t.exposeString('body', { description: 'The message, with {{placeholders}}' }),
    delayMinutes: t.exposeInt('delayMinutes', { description: 'Minutes after the event; 0 sends at once' }),
    active: t.exposeBoolean('active', { description: 'Whether events still queue its message' }),
    unknownPlaceholders: t.exposeStringList('unknownPlaceholders', {
      description: 'Placeholders that match nothing and render as empty text',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the template was created' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the template last changed' }),
  }),
})

const TemplatePage = pageType('Template', () => db.template)
export const TemplateConnection = connectionType('Template', Template)

export const templateRules = z
  .object({
    eventType: z
      .string()
      .refine((value) => AUTOMATION_EVENT_TYPES.includes(value), `must be one of ${AUTOMATION_EVENT_TYPES.join(', ')}`)
      .nullish()
      .describe('The automation event type it answers (set on creation only)'),
    channel: z.enum(Channel).meta({ graphql: ChannelType }).nullish().describe('Set on creation only'),
    name: requiredText(200).nullish().describe('A name for people, shown in the portal; required on creation'),
    subject: text(500).nullish().describe('Email only'),
    body: text(MAX_BODY)
      .refine((value) => value.trim() !== '', 'must not be empty')
      .nullish()
      .describe('The message, with {{placeholders}}'),
    delayMinutes: z
      .int()
      .min(0, `must be between 0 and ${MAX_DELAY_MINUTES}`)
      .max(MAX_DELAY_MINUTES, `must be between 0 and ${MAX_DELAY_MINUTES}`)
      .nullish()
      .describe('Minutes after the event; 0 sends at once'),
    active: z.boolean().nullish().describe('Whether events queue its message; default true'),
  })
  .describe('On update, absent fields keep their value; `eventType` and `channel` are set on creation only')

const TemplateInput = inputType('TemplateInput', templateRules)

type Input = typeof TemplateInput.$inferInput

/** The fields an update changes (null keeps a required column as it is). */
function templateFields(input: Input) {
  const { eventType: _event, channel: _channel, name, body, delayMinutes, active, subject } = input
  return definedOnly({
    name: name ?? undefined,
    body: body ?? undefined,
    delayMinutes: delayMinutes ?? undefined,
    active: active ?? undefined,
    subject,
  })
}

function templateFilter(accountId: string, args: { eventType?: string | null; channel?: Channel | null }): Prisma.TemplateWhereInput {
  return { accountId, ...(args.eventType ? { eventType: args.eventType } : {}), ...(args.channel ? { channel: args.channel } : {}) }
}

export const templateSort = listSort('Template', ['createdAt', 'updatedAt'])

resourceQueries({
  model: 'Template',
  sort: templateSort,
  delegate: () => db.template,
  names: { one: 'template', many: 'templates', page: 'templatePage' },
  description: "The account's message templates, newest first",
  scope: 'read:hub',
  connection: TemplateConnection,
  page: TemplatePage,
  args: (t) => ({
    eventType: t.arg.string({ description: 'Only templates for this event type' }),
    channel: t.arg({ type: Channel, description: 'Only templates for this channel' }),
  }),
  where: templateFilter,
})

builder.mutationFields((t) => ({
  createTemplate: t.prismaField({
    type: 'Template',
    description: 'Adds a template for one of the automation event types',
    authScopes: { scope: 'write:hub' },
    args: { input: t.arg({ type: TemplateInput, required: true, description: 'The template to add' }) },
    resolve: (query, _root, { input }, ctx) => {
      if (!input.eventType) throw badRequest(`eventType must be one of ${AUTOMATION_EVENT_TYPES.join(', ')}`)
      if (!input.channel) throw badRequest('channel is required')
      if (!input.name || !input.body) throw badRequest('name and body are required')
      const fields = templateFields(input)
      return db.template.create({
        ...query,
        data: {
          accountId: accountOf(ctx),
          eventType: input.eventType,
          channel: input.channel,
          name: input.name,
          body: input.body,
          ...fields,
          unknownPlaceholders: unknownPlaceholders(fields.subject, input.body),
        },
      })
    },
  }),
  updateTemplate: t.prismaField({
    type: 'Template',
    description: "Changes a template's name, subject, body, delay or active flag (needs write:hub)",
    authScopes: { scope: 'write:hub' },
    args: {
      id: t.arg.id({ required: true, description: 'The template to change' }),
      input: t.arg({ type: TemplateInput, required: true, description: 'The fields to change' }),
    },
    resolve: async (query, _root, { id, input }, ctx) => {
      const fields = templateFields(input)
      const current = await db.template.findFirst({
        where: { id: String(id), accountId: accountOf(ctx) },
        select: { subject: true, body: true },
      })
      if (!current) throw notFound('Template not found')
      const subject = fields.subject === undefined ? current.subject : fields.subject
      return db.template.update({
        ...query,
        where: { id: String(id) },
        data: { ...fields, unknownPlaceholders: unknownPlaceholders(subject, fields.body ?? current.body) },
      })
    },
  }),
}))
