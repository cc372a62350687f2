/**
 * Demo data for a newcomer: fills the default account with a small, realistic roofing business
 * (customers, projects with events and queued messages, SMS/iMessage/voice/email conversations
 * with messages and transcripts, leads in every stage, quotes with line items, appointments),
 * so every endpoint has something to answer. Runs once per account: a second run is a no-op.
 */
import type { Logger } from 'pino'
import type { Prisma } from '../generated/prisma/client.js'
import { db } from './client.js'

const DAY = 86_400_000
const ago = (days: number, hours = 0) => new Date(Date.now() - days * DAY - hours * 3_600_000)
const ahead = (days: number) => new Date(Date.now() + days * DAY)

const people = [
  ['Maria', 'Gonzalez', '+15125550101', 'maria.gonzalez@example.com', '1204 Oak Hollow Dr, Austin, TX'],
  ['James', 'Whitfield', '+15125550102', 'jwhitfield@example.com', '88 Ridgeview Ln, Round Rock, TX'],
  ['Priya', 'Raman', '+15125550103', 'priya.raman@example.com', '4410 Barton Creek Blvd, Austin, TX'],
  ['Tom', 'Becker', '+15125550104', 'tbecker@example.net', '15 Mesquite Ct, Cedar Park, TX'],
  ['Aisha', 'Okafor', '+15125550105', 'aisha.okafor@example.org', '702 Live Oak St, Georgetown, TX'],
  ['Daniel', 'Kim', '+15125550106', 'dkim@example.com', '3 Windmill Run, Pflugerville, TX'],
] as const

const projectStages = [
  ['Roof replacement', 'contract', 'contract_generated', 18_400],
  ['Storm damage repair', 'scheduled', 'build_day_confirmed', 7_950],
  ['Gutter and fascia', 'complete', 'paid_in_full', 3_200],
  ['Solar-ready re-roof', 'sales', 'contract_ready', 24_600],
  ['Skylight install', 'production', 'material_order_placed', 4_100],
  ['Full tear-off', 'billing', 'install_complete_payment_pending', 21_300],
] as const

export async function seedDemoData(logger: Logger, accountId?: string): Promise<void> {
  const account = accountId
    ? await db.account.findUniqueOrThrow({ where: { id: accountId } })
    : await db.account.findFirst({ orderBy: { createdAt: 'asc' } })
  if (!account) throw new Error('No account to fill: start the server once first')
  if (await db.customer.findFirst({ where: { accountId: account.id, externalId: { startsWith: 'demo-' } }, select: { id: true } })) {
    logger.info({ account_id: account.id }, 'demo data already present')
    return
  }
  await db.$transaction(
    async (tx) => {
      const customers = await createCustomers(tx, account.id)
      await createProjects(tx, account.id, customers)
      await createConversations(tx, account.id, customers)
      await createLeadsQuotesAppointments(tx, account.id)
    },
    { timeout: 60_000 },
  )
  logger.info({ account_id: account.id }, 'demo data created')
}

type Tx = Prisma.TransactionClient
type DemoCustomer = { id: string; firstName: string; phone: string; email: string }

async function createCustomers(tx: Tx, accountId: string): Promise<DemoCustomer[]> {
  return tx.customer.createManyAndReturn({
    data: people.map(([firstName, lastName, phone, email, address], i) => ({
      accountId,
      externalId: `demo-${i + 1}`,
      name: `${firstName} ${lastName}`,
      firstName,
      lastName,
      phone,
      email,
      address,
      metadata: { source: i % 2 ? 'referral' : 'website' },
      createdAt: ago(40 - i * 5),
    })),
    select: { id: true, firstName: true, phone: true, email: true },
  }) as Promise<DemoCustomer[]>
}

async function createProjects(tx: Tx, accountId: string, customers: DemoCustomer[]) {
  const projects = await tx.project.createManyAndReturn({
    data: projectStages.map(([name, pipelineStage, projectStatus, value], i) => ({
      accountId,
      customerId: customers[i].id,
      name,
      pipelineStage,
      projectStatus,
      value,
      address: people[i][4],
      buildDate: ahead(3 + i * 4),
      createdAt: ago(35 - i * 5),
    })),
    select: { id: true, customerId: true, projectStatus: true },
  })
  for (const [i, project] of projects.entries()) {
    const customer = customers[i]
    const event = await tx.projectEvent.create({
      data: {
        accountId,
        projectId: project.id,
        eventType: project.projectStatus!,
        source: 'status_change',
        occurredAt: ago(10 - i),
        data: {},
      },
    })
    const campaign = await tx.campaign.create({
      data: {
        accountId,
        projectId: project.id,
        eventId: event.id,
        eventType: event.eventType,
        name: `${event.eventType} for ${customer.firstName}`,
      },
    })
    const base = { accountId, projectId: project.id, customerId: customer.id, eventId: event.id, campaignId: campaign.id }
    await tx.communication.createMany({
      data: [
        {
          ...base,
          channel: 'sms',
          status: 'sent',
          to: customer.phone,
          content: `Hi ${customer.firstName}, an update on your project from Lone Star Roofing.`,
          provider: 'sendblue',
          providerMessageId: `demo-handle-${i}`,
          sentAt: ago(10 - i),
          attempts: 1,
        },
        {
          ...base,
          channel: 'email',
          status: 'queued',
          to: customer.email,
          subject: 'Your roofing project',
          content: `Hello ${customer.firstName}, here are the details of your next step.`,
        },
        {
          ...base,
          channel: 'sms',
          status: 'scheduled',
          to: customer.phone,
          content: `Reminder, ${customer.firstName}: your contract is waiting for your signature.`,
          scheduledFor: ahead(i + 1),
        },
      ],
    })
  }
}

async function createConversations(tx: Tx, accountId: string, customers: DemoCustomer[]) {
  const threads: { channel: 'sms' | 'imessage' | 'email'; lines: ['customer' | 'agent' | 'ai', string][] }[] = [
    {
      channel: 'sms',
      lines: [
        ['customer', 'Hi, can someone look at a leak over my garage?'],
        ['ai', 'Sorry to hear that! Could you send a photo of the ceiling?'],
        ['customer', 'Sent. It gets worse when it rains hard.'],
        ['agent', 'Thanks Maria, we can inspect Thursday at 10am. Does that work?'],
        ['customer', 'Thursday works, thank you!'],
      ],
    },
    {
      channel: 'imessage',
      lines: [
        ['agent', 'Your shingles arrived and the crew is confirmed for Monday.'],
        ['customer', 'Great. Do I need to move the cars?'],
        ['agent', 'Yes please, out of the driveway by 7am.'],
      ],
    },
    {
      channel: 'email',
      lines: [
        ['customer', 'Could you resend the invoice for the gutters?'],
        ['agent', 'Of course, it is attached again. Thanks for your business!'],
      ],
    },
    {
      channel: 'sms',
      lines: [
        ['ai', 'Hi Tom, just checking in on the quote we sent last week.'],
        ['customer', 'Still comparing, will decide by Friday.'],
      ],
    },
  ]
  for (const [i, thread] of threads.entries()) {
    const customer = customers[i]
    const start = ago(20 - i * 3)
    const conversation = await tx.conversation.create({
      data: {
        accountId,
        channel: thread.channel,
        status: i === 2 ? 'closed' : 'open',
        customerId: customer.id,
        participant: thread.channel === 'email' ? customer.email : customer.phone,
        subject: thread.channel === 'email' ? 'Invoice request' : null,
        startedAt: start,
        endedAt: i === 2 ? ago(15) : null,
        lastMessageAt: new Date(start.getTime() + thread.lines.length * 600_000),
        messageCount: thread.lines.length,
        createdAt: start,
      },
    })
    await tx.message.createMany({
      data: thread.lines.map(([sender, content], n) => ({
        accountId,
        conversationId: conversation.id,
        direction: sender === 'customer' ? 'inbound' : 'outbound',
        channel: thread.channel,
        sender,
        content,
        status: sender === 'customer' ? 'received' : 'delivered',
        provider: thread.channel === 'email' ? null : 'sendblue',
        createdAt: new Date(start.getTime() + n * 600_000),
      })),
    })
  }
  const callStart = ago(2, 3)
  const transcript = [
    ['AI', "Hi Aisha, this is Riley calling from Lone Star Roofing about tomorrow's build."],
    ['Customer', 'Oh hi, yes. What time will the crew get here?'],
    ['AI', 'They plan to arrive at 7:30am and should be done by late afternoon.'],
    ['Customer', 'Perfect. Should I leave the side gate open?'],
    ['AI', "Yes please, that helps a lot. We'll text you when they're on the way."],
  ] as const
  const call = await tx.conversation.create({
    data: {
      accountId,
      channel: 'voice',
      status: 'closed',
      customerId: customers[4].id,
      participant: customers[4].phone,
      summary: 'Confirmed the crew arrives 7:30am; customer will leave the side gate open.',
      recordingUrl: 'https://recordings.example.com/demo-call.mp3',
      providerCallId: 'demo-call-1',
      startedAt: callStart,
      endedAt: new Date(callStart.getTime() + 95_000),
      createdAt: callStart,
    },
  })
  await tx.transcriptEntry.createMany({
    data: transcript.map(([speaker, text], position) => ({
      accountId,
      conversationId: call.id,
      position,
      speaker,
      text,
      at: new Date(callStart.getTime() + position * 15_000),
    })),
  })
}

const leadStages = ['new_lead', 'follow_up', 'quote_in_progress', 'quoted', 'closed_won', 'closed_lost'] as const
const aiStatuses = ['hot', 'warm', 'cold', 'new'] as const
const leadNames = [
  'Olivia Martin',
  'Ethan Brooks',
  'Sofia Ramirez',
  'Liam Chen',
  'Grace Patel',
  'Noah Johnson',
  'Chloe Nguyen',
  'Lucas Rivera',
  'Emma Davis',
  'Mason Lee',
  'Ava Thompson',
  'Logan Scott',
]

async function createLeadsQuotesAppointments(tx: Tx, accountId: string) {
  const leads = await tx.lead.createManyAndReturn({
    data: leadNames.map((name, i) => {
      const [firstName, lastName] = name.split(' ')
      return {
        accountId,
        name,
        firstName,
        lastName,
        email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.com`,
        phone: `+1737555${String(1000 + i).padStart(4, '0')}`,
        pipelineStage: leadStages[i % leadStages.length],
        aiStatus: aiStatuses[i % aiStatuses.length],
        aiScore: 35 + ((i * 17) % 60),
        aiSummary: i % 3 === 0 ? 'Asked about financing for a full replacement.' : null,
        source: ['website', 'zapier', 'referral'][i % 3],
        customData: { roof_type: ['asphalt', 'metal', 'tile'][i % 3] },
        createdAt: ago(30 - i * 2),
      }
    }),
    select: { id: true, pipelineStage: true, name: true },
  })
  const quoted = leads.filter((l) => ['quote_in_progress', 'quoted', 'closed_won', 'closed_lost'].includes(l.pipelineStage))
  const statuses = ['draft', 'sent', 'viewed', 'accepted', 'declined', 'expired'] as const
  for (const [i, lead] of quoted.entries()) {
    const lines = [
      { description: 'Architectural shingles (per square)', quantity: 24 + i, unitPrice: 410 },
      { description: 'Tear-off and disposal', quantity: 1, unitPrice: 1850 },
      { description: 'Drip edge and flashing', quantity: 1, unitPrice: 640 },
    ]
    const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0)
    const tax = Math.round(subtotal * 0.0825 * 100) / 100
    const status = statuses[i % statuses.length]
    await tx.quote.create({
      data: {
        accountId,
        leadId: lead.id,
        quoteNumber: `Q-${String(i + 1).padStart(5, '0')}`,
        status,
        subtotal,
        tax,
        total: subtotal + tax,
        currency: 'USD',
        metadata: { prepared_by: 'Demo Estimator' },
        validUntil: ahead(30),
        createdAt: ago(12 - i),
        sentAt: status === 'draft' ? null : ago(11 - i),
        viewedAt: ['viewed', 'accepted', 'declined'].includes(status) ? ago(10 - i) : null,
        acceptedAt: status === 'accepted' ? ago(9 - i) : null,
        lineItems: { create: lines.map((l, position) => ({ ...l, position, accountId })) },
      },
    })
  }
  await tx.account.update({ where: { id: accountId }, data: { quoteSequence: quoted.length } })
  await tx.appointment.createMany({
    data: leads.slice(0, 5).map((lead, i) => ({
      accountId,
      leadId: lead.id,
      title: i % 2 ? `Callback: ${lead.name}` : `Roof inspection: ${lead.name}`,
      appointmentType: i % 2 ? ('callback' as const) : ('onsite' as const),
      status: (['scheduled', 'confirmed', 'completed', 'no_show', 'cancelled'] as const)[i],
      startTime: ahead(i - 2),
      endTime: new Date(ahead(i - 2).getTime() + 3_600_000),
      bookedBy: i % 2 ? ('ai' as const) : ('human' as const),
      location: i % 2 ? null : `${100 + i} Demo St, Austin, TX`,
      notes: i === 0 ? 'Gate code 4417' : null,
    })),
  })
}
