/**
 * Appointments with their lead. `bookAppointment` (portal session or leads:write) fires
 * appointment.booked in the same transaction.
 */
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import { AppointmentStatus, AppointmentType, BookedBy } from '../generated/prisma/enums.js'
import { fireWebhookEvent } from '../services/webhooks/outbox.js'
import { appointmentJson } from '../services/webhooks/payloads.js'
import { builder } from './builder.js'
import { LEAD_API_WINDOW, newestFirst } from './leads.js'
import { pageType, pageWindow } from './paging.js'
import { accountOf } from './tenancy.js'
import { capped } from './validation.js'

builder.enumType(AppointmentStatus, { name: 'AppointmentStatus' })
builder.enumType(AppointmentType, { name: 'AppointmentType' })
builder.enumType(BookedBy, { name: 'BookedBy' })

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
    lead: t.relation('lead', { nullable: true }),
  }),
})

const AppointmentPage = pageType('Appointment', () => db.appointment)

const BookAppointmentInput = builder.inputType('BookAppointmentInput', {
  fields: (t) => ({
    leadId: t.id({ required: true }),
    type: t.string({ required: true, description: 'callback or onsite' }),
    startTime: t.field({ type: 'DateTime', required: true }),
    endTime: t.field({ type: 'DateTime' }),
    title: t.string({ required: true }),
    bookedBy: t.string({ description: 'ai or human (default human)' }),
    location: t.string(),
    notes: t.string(),
  }),
})

function oneOf<T extends string>(value: string, values: Record<string, T>, field: string): T {
  if (!Object.values(values).includes(value as T))
    throw badRequest(`Invalid ${field} "${value.slice(0, 40)}": expected one of ${Object.values(values).join(', ')}`)
  return value as T
}

builder.queryFields((t) => ({
  appointmentPage: t.field({
    type: AppointmentPage,
    description: 'Appointments newest first, by offset, each with its lead',
    authScopes: { scope: 'appointments:read' },
    args: { type: t.arg({ type: AppointmentType }), limit: t.arg.int(), offset: t.arg.int() },
    resolve: (_root, args, ctx) => ({
      where: { accountId: accountOf(ctx), ...(args.type ? { appointmentType: args.type } : {}) },
      orderBy: newestFirst,
      ...pageWindow(args, LEAD_API_WINDOW),
    }),
  }),
}))

builder.mutationFields((t) => ({
  bookAppointment: t.field({
    type: Appointment,
    description: 'Books an appointment with a lead and fires appointment.booked',
    authScopes: { scope: 'leads:write' },
    args: { input: t.arg({ type: BookAppointmentInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const accountId = accountOf(ctx)
      const appointmentType = oneOf(input.type, AppointmentType, 'type')
      const bookedBy = oneOf(input.bookedBy ?? 'human', BookedBy, 'bookedBy')
      const title = capped(input.title.trim(), 'title', 500)
      if (!title) throw badRequest('title is required')
      if (input.endTime && input.endTime.getTime() <= input.startTime.getTime()) throw badRequest('endTime must be after startTime')
      const lead = await db.lead.findFirst({ where: { id: String(input.leadId), accountId }, select: { id: true } })
      if (!lead) throw notFound('Lead not found')
      return db.$transaction(async (tx) => {
        const appointment = await tx.appointment.create({
          data: {
            accountId,
            leadId: lead.id,
            title,
            appointmentType,
            bookedBy,
            startTime: input.startTime,
            endTime: input.endTime ?? null,
            location: capped(input.location?.trim() || null, 'location', 1000),
            notes: capped(input.notes ?? null, 'notes', 10_000),
          },
          include: { lead: { select: { name: true, phone: true, email: true } } },
        })
        await fireWebhookEvent(tx, accountId, 'appointment.booked', appointmentJson(appointment))
        return appointment
      })
    },
  }),
}))
