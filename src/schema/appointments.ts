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
import { pageType } from './paging.js'
import { id, requiredText, text, timestamp, trimmedText } from './rules.js'
import { listSort } from './sorting.js'
import { accountOf } from './tenancy.js'

builder.enumType(AppointmentStatus, { name: 'AppointmentStatus' })
builder.enumType(AppointmentType, { name: 'AppointmentType' })
builder.enumType(BookedBy, { name: 'BookedBy' })

const LeadContact = builder.objectRef<{ name: string | null; phone: string | null; email: string | null }>('LeadContact').implement({
  description: 'How to reach a lead',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true, description: 'E.164' }),
    email: t.exposeString('email', { nullable: true }),
  }),
})

export const Appointment = builder.prismaObject('Appointment', {
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    status: t.expose('status', { type: AppointmentStatus }),
    appointmentType: t.expose('appointmentType', { type: AppointmentType }),
    startTime: t.expose('startTime', { type: 'DateTime' }),
    endTime: t.expose('endTime', { type: 'DateTime', nullable: true }),
    bookedBy: t.expose('bookedBy', { type: BookedBy }),
    leadId: t.exposeString('leadId', { nullable: true }),
    location: t.exposeString('location', { nullable: true }),
    notes: t.exposeString('notes', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
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
  type: z.enum(AppointmentType).meta({ graphql: 'String' }).describe('callback or onsite'),
  startTime: timestamp,
  endTime: timestamp.nullish().describe('After startTime'),
  title: requiredText(500),
  bookedBy: z.enum(BookedBy).meta({ graphql: 'String' }).nullish().describe('ai or human (default human)'),
  location: trimmedText(1000)
    .transform((value) => value || null)
    .nullish(),
  notes: text(10_000).nullish(),
})

const BookAppointmentInput = inputType('BookAppointmentInput', appointmentRules, {
  checks: [
    { check: (input) => !input.endTime || input.endTime.getTime() > input.startTime.getTime(), message: 'endTime must be after startTime' },
  ],
})

export const appointmentSort = listSort('Appointment', ['createdAt', 'updatedAt', 'startTime'])

resourceQueries({
  model: 'Appointment',
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
    args: { input: t.arg({ type: BookAppointmentInput, required: true }) },
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
