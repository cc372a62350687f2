/**
 * What the portal's template editor needs besides the templates themselves: the placeholders a
 * template may use, a preview of unsaved text rendered against one of the account's projects,
 * and resetting templates to the default library.
 */
import { z } from 'zod'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import { Channel } from '../generated/prisma/enums.js'
import { AUTOMATION_EVENT_TYPES } from '../services/automations/library.js'
import { KNOWN_PLACEHOLDERS, renderer, unknownPlaceholders } from '../services/automations/render.js'
import { resetTemplates } from '../services/automations/reset.js'
import { builder } from './builder.js'
import { eventType } from './events.js'
import { id, jsonObject, text } from './rules.js'
import { accountOf } from './tenancy.js'

interface Preview {
  subject: string | null
  body: string
  unknownPlaceholders: string[]
}

const TemplatePreview = builder.objectRef<Preview>('TemplatePreview').implement({
  description: 'A template text rendered against a project, as its message would read',
  fields: (t) => ({
    subject: t.exposeString('subject', { nullable: true, description: 'The rendered subject (email), null when none was given' }),
    body: t.exposeString('body', { description: 'The rendered message' }),
    unknownPlaceholders: t.exposeStringList('unknownPlaceholders', {
      description: 'Placeholders in the text that match nothing (they render as empty text)',
    }),
  }),
})

const previewRules = {
  body: text(5_000),
  subject: text(500).nullish(),
}

builder.queryFields((t) => ({
  templatePlaceholders: t.stringList({
    description: 'The placeholders a template may use, written without braces; `event.data.<key>` stands for any key of the event data',
    authScopes: { scope: 'read:hub' },
    resolve: () => [...KNOWN_PLACEHOLDERS],
  }),
  templatePreview: t.field({
    type: TemplatePreview,
    description: "Renders template text (saved or not) against one of the account's projects and its customer; stores nothing",
    authScopes: { scope: 'read:hub' },
    args: {
      projectId: t.arg.id({ required: true, description: 'The project (and its customer) the placeholders are filled from' }),
      eventType: t.arg.string({ required: true, validate: eventType, description: 'The event type {{event.type}} renders as' }),
      body: t.arg.string({ required: true, validate: previewRules.body, description: 'The message text, with {{placeholders}}' }),
      subject: t.arg.string({ validate: previewRules.subject, description: 'An email subject, with {{placeholders}}' }),
      data: t.arg({ type: 'JSON', validate: jsonObject.nullish(), description: 'Event data that {{event.data.<key>}} reads' }),
    },
    resolve: async (_root, args, ctx) => {
      const project = await db.project.findFirst({
        where: { id: String(args.projectId), accountId: accountOf(ctx) },
        include: { customer: true, account: { select: { name: true } } },
      })
      if (!project) throw notFound('Project not found')
      const render = renderer({
        customer: project.customer,
        project,
        account: project.account,
        event: { type: args.eventType, occurredAt: new Date(), data: (args.data ?? {}) as Record<string, unknown> },
      })
      return {
        subject: args.subject == null ? null : render(args.subject),
        body: render(args.body),
        unknownPlaceholders: unknownPlaceholders(args.subject, args.body),
      }
    },
  }),
}))

const resetEventType = z
  .string()
  .refine((value) => AUTOMATION_EVENT_TYPES.includes(value), `must be one of ${AUTOMATION_EVENT_TYPES.join(', ')}`)
  .nullish()

builder.mutationFields((t) => ({
  resetTemplates: t.prismaField({
    type: ['Template'],
    description:
      "Puts templates back to the default library: one template (templateId), one event type and channel, one event type, or all of them. Each library entry's text, subject, delay and name are restored and it is enabled; a missing one is created again; templates added beyond the library are disabled (never deleted). Answers the templates it changed",
    authScopes: { scope: 'write:hub' },
    args: {
      templateId: t.arg.id({ validate: id.nullish(), description: 'Only this template' }),
      eventType: t.arg.string({ validate: resetEventType, description: 'Only templates of this automation event type' }),
      channel: t.arg({ type: Channel, description: 'Only templates of this channel' }),
    },
    resolve: async (query, _root, args, ctx) => {
      if (args.templateId && (args.eventType || args.channel)) throw badRequest('give templateId alone, or eventType and/or channel')
      const touched = await resetTemplates(accountOf(ctx), {
        templateId: args.templateId ? String(args.templateId) : undefined,
        eventType: args.eventType ?? undefined,
        channel: args.channel ?? undefined,
      })
      if (touched === null) throw notFound('Template not found')
      return db.template.findMany({
        ...query,
        where: { id: { in: touched } },
        orderBy: [{ eventType: 'asc' }, { channel: 'asc' }, { delayMinutes: 'asc' }],
      })
    },
  }),
}))
