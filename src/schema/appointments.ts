/**
 * Appointments with their lead. `bookAppointment` (portal session or leads:write) fires
 * appointment.booked in the same transaction.
 */
import { z } from 'zod'
import { db } from '../db/client.js'
import { notFound } from '../errors.js'
import { AppointmentStatus, AppointmentType, BookedBy } from '../generated/prisma/enums.js'
import { fireWebhookEvent } from '../services/webhooks/outbox.js'
import { appointmentJson } from '../services/webhooks/payloads.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { LEAD_API_WINDOW } from './leads.js'
import { connectionType, resourceQueries } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { pageType } from './paging.js'
import { id, requiredText, text, timestamp, trimmedText } from './rules.js'
import { listSort } from './sorting.js'
import { accountOf } from './tenancy.js'

builder.enumType(AppointmentStatus, {
  name: 'AppointmentStatus',
  description: 'Where an appointment stands',
  values: {
    scheduled: { description: 'Booked, not yet confirmed' },
    confirmed: { description: 'The lead confirmed it' },
    completed: { description: 'It took place' },
    cancelled: { description: 'Called off; it will not take place' },
    no_show: { description: 'The lead did not turn up' },
  },
})
const AppointmentTypeType = builder.enumType(AppointmentType, {
  name: 'AppointmentType',
  description: 'What kind of appointment it is',
  values: {
    callback: { description: 'A phone call back to the lead' },
    onsite: { description: "A visit at the lead's site" },
  },
})
const BookedByType = builder.enumType(BookedBy, {
  name: 'BookedBy',
  description: 'Who booked an appointment',
  values: {
    ai: { description: 'The AI assistant, in a conversation with the lead' },
    human: { description: 'A person on the team (the default)' },
  },
})

const LeadContact = builder.objectRef<{ name: string | null; phone: string | null; email: string | null }>('LeadContact').implement({
  description: 'How to reach a lead',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: "The lead's full name; null when not known" }),
    phone: t.exposeString('phone', { nullable: true, description: 'E.164' }),
    email: t.exposeString('email', { nullable: true, description: "The lead's email address; null when not known" }),
  }),
})

nodeType('Appointment', 'appointments', 'appointments:read')

export const Appointment = builder.prismaObject('Appointment', {
  description: 'A callback or on-site visit booked with a lead',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The appointment's id" }),
    title: t.exposeString('title', { description: 'What the appointment is about, as shown in calendars' }),
    status: t.expose('status', { type: AppointmentStatus, description: 'Where the appointment stands' }),
    appointmentType: t.expose('appointmentType', { type: AppointmentType, description: 'A callback or an on-site visit' }),
    startTime: t.expose('startTime', { type: 'DateTime', description: 'When it starts' }),
    endTime: t.expose('endTime', { type: 'DateTime', nullable: true, description: 'When it ends; null when not given' }),
    bookedBy: t.expose('bookedBy', { type: BookedBy, description: 'Whether the AI assistant or a person booked it' }),
    leadId: t.exposeID('leadId', { nullable: true, description: 'The id of the lead it is with; null once that lead is removed for good' }),
    location: t.exposeString('location', { nullable: true, description: 'Where it takes place, e.g. an address; null when not given' }),
    notes: t.exposeString('notes', { nullable: true, description: 'Free-text notes; null when none' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was booked' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set only in the answer of a delete: deleted records are never listed',
    }),
    lead: t.relation('lead', {
      nullable: true,
      description: 'The whole lead; needs leads:read (contact alone needs only appointments:read)',
      authScopes: { scope: 'leads:read' },
    }),
    leadContact: t.field({
      type: LeadContact,
      nullable: true,
      description: "The lead's name, phone and email: what an appointment needs, without the rest of the lead",
      select: { lead: { select: { name: true, phone: true, email: true } } },
      resolve: (appointment) => appointment.lead,
    }),
  }),
})

const AppointmentPage = pageType('Appointment', () => db.appointment)

export const appointmentRules = z.object({
  leadId: id.describe('The lead the appointment is with'),
  type: z.enum(AppointmentType).meta({ graphql: AppointmentTypeType }).describe('callback or onsite'),
  startTime: timestamp.describe('When it starts'),
  endTime: timestamp.nullish().describe('After startTime'),
  title: requiredText(500).describe('What the appointment is about, as shown in calendars'),
  bookedBy: z.enum(BookedBy).meta({ graphql: BookedByType }).nullish().describe('ai or human (default human)'),
  location: trimmedText(1000)
    .transform((value) => value || null)
    .nullish()
    .describe('Where it takes place, e.g. an address'),
  notes: text(10_000).nullish().describe('Free-text notes'),
})

const BookAppointmentInput = inputType('BookAppointmentInput', appointmentRules, {
  description: 'A new appointment with a lead',
  checks: [
    { check: (input) => !input.endTime || input.endTime.getTime() > input.startTime.getTime(), message: 'endTime must be after startTime' },
  ],
})

export const appointmentSort = listSort('Appointment', ['createdAt', 'updatedAt', 'startTime'])

resourceQueries({
  model: 'Appointment',
  deletable: true,
  sort: appointmentSort,
  delegate: () => db.appointment,
  names: { one: 'appointment', many: 'appointments', page: 'appointmentPage' },
  description: 'Appointments, newest first, each with its lead',
  scope: 'appointments:read',
  connection: connectionType('Appointment', Appointment),
  page: AppointmentPage,
  args: (t) => ({ type: t.arg({ type: AppointmentType, description: 'Only callbacks or only on-site visits' }) }),
  where: (accountId, args: { type?: AppointmentType | null }) => ({ accountId, ...(args.type ? { appointmentType: args.type } : {}) }),
  window: LEAD_API_WINDOW,
})

builder.mutationFields((t) => ({
  bookAppointment: t.field({
    type: Appointment,
    description: 'Books an appointment with a lead and fires appointment.booked',
    authScopes: { scope: 'leads:write' },
    args: { input: t.arg({ type: BookAppointmentInput, required: true, description: 'The appointment to book' }) },
    resolve: async (_root, { input }, ctx) => {
      const accountId = accountOf(ctx)
      const lead = await db.lead.findFirst({ where: { id: String(input.leadId), accountId }, select: { id: true } })
      if (!lead) throw notFound('Lead not found')
      return db.$transaction(async (tx) => {
        const appointment = await tx.appointment.create({
          data: {
            accountId,
            leadId: lead.id,
            title: input.title,
            appointmentType: input.type,
            bookedBy: input.bookedBy ?? 'human',
            startTime: input.startTime,
            endTime: input.endTime ?? null,
            location: input.location ?? null,
            notes: input.notes ?? null,
          },
          include: { lead: { select: { name: true, phone: true, email: true } } },
        })
        await fireWebhookEvent(tx, accountId, 'appointment.booked', appointmentJson(appointment))
        return appointment
      })
    },
  }),
}))
