/**
 * Message templates: what each automation event sends. Every account starts with the default
 * library (services/automations/library.ts) and edits it here. Placeholders that match nothing
 * are kept (they render as empty text) and reported in `unknownPlaceholders`.
 */
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import { Channel } from '../generated/prisma/enums.js'
import { AUTOMATION_EVENT_TYPES } from '../services/automations/library.js'
import { unknownPlaceholders } from '../services/automations/render.js'
import { builder } from './builder.js'
import { newestFirst } from './customers.js'
import { pageType, pageWindow } from './paging.js'
import { accountOf } from './tenancy.js'
import { capped } from './validation.js'

const MAX_BODY = 5_000
/** A year: the longest drip a template may wait after its event. */
const MAX_DELAY_MINUTES = 366 * 24 * 60

export const Template = builder.prismaObject('Template', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    eventType: t.exposeString('eventType'),
    channel: t.expose('channel', { type: Channel }),
    subject: t.exposeString('subject', { nullable: true, description: 'Email only' }),
    body: t.exposeString('body'),
    delayMinutes: t.exposeInt('delayMinutes', { description: 'Minutes after the event; 0 sends at once' }),
    active: t.exposeBoolean('active'),
    unknownPlaceholders: t.exposeStringList('unknownPlaceholders', {
      description: 'Placeholders that match nothing and render as empty text',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
})

const TemplatePage = pageType('Template', () => db.template)

const TemplateInput = builder.inputType('TemplateInput', {
  description: 'On update, absent fields keep their value; `eventType` and `channel` are set on creation only',
  fields: (t) => ({
    eventType: t.string(),
    channel: t.field({ type: Channel }),
    name: t.string(),
    subject: t.string(),
    body: t.string(),
    delayMinutes: t.int(),
    active: t.boolean(),
  }),
})

type Input = typeof TemplateInput.$inferInput

function templateFields(input: Input) {
  if (input.name !== undefined && input.name !== null && !input.name.trim()) throw badRequest('name must not be empty')
  if (input.body !== undefined && input.body !== null && !input.body.trim()) throw badRequest('body must not be empty')
  const delay = input.delayMinutes
  if (delay !== undefined && delay !== null && (delay < 0 || delay > MAX_DELAY_MINUTES)) {
    throw badRequest(`delay_minutes must be between 0 and ${MAX_DELAY_MINUTES}`)
  }
  const fields = {
    name: capped(input.name ?? undefined, 'name', 200) ?? undefined,
    subject: capped(input.subject, 'subject', 500),
    body: capped(input.body ?? undefined, 'body', MAX_BODY) ?? undefined,
    delayMinutes: delay ?? undefined,
    active: input.active ?? undefined,
  }
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<typeof fields>
}

function templateFilter(accountId: string, args: { eventType?: string | null; channel?: Channel | null }): Prisma.TemplateWhereInput {
  return { accountId, ...(args.eventType ? { eventType: args.eventType } : {}), ...(args.channel ? { channel: args.channel } : {}) }
}

builder.queryFields((t) => {
  const filters = { eventType: t.arg.string(), channel: t.arg({ type: Channel }) }
  return {
    template: t.prismaField({
      type: 'Template',
      nullable: true,
      authScopes: { scope: 'read:hub' },
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, ctx) => db.template.findFirst({ ...query, where: { id: String(args.id), accountId: accountOf(ctx) } }),
    }),
    templates: t.prismaConnection({
      type: 'Template',
      cursor: 'id',
      authScopes: { scope: 'read:hub' },
      args: filters,
      totalCount: (_root, args, ctx) => db.template.count({ where: templateFilter(accountOf(ctx), args) }),
      resolve: (query, _root, args, ctx) =>
        db.template.findMany({ ...query, where: templateFilter(accountOf(ctx), args), orderBy: newestFirst }),
    }),
    templatePage: t.field({
      type: TemplatePage,
      authScopes: { scope: 'read:hub' },
      args: { ...filters, limit: t.arg.int(), offset: t.arg.int() },
      resolve: (_root, args, ctx) => ({ where: templateFilter(accountOf(ctx), args), orderBy: newestFirst, ...pageWindow(args) }),
    }),
  }
})

builder.mutationFields((t) => ({
  createTemplate: t.prismaField({
    type: 'Template',
    description: 'Adds a template for one of the automation event types',
    authScopes: { scope: 'write:hub' },
    args: { input: t.arg({ type: TemplateInput, required: true }) },
    resolve: (query, _root, { input }, ctx) => {
      if (!input.eventType || !AUTOMATION_EVENT_TYPES.includes(input.eventType)) {
        throw badRequest(`eventType must be one of ${AUTOMATION_EVENT_TYPES.join(', ')}`)
      }
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
    authScopes: { scope: 'write:hub' },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: TemplateInput, required: true }) },
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
