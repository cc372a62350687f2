/** Lead counts per pipeline stage: every stage present, zeros included, in one GROUP BY. */
import { db } from '../db/client.js'
import { LeadStage } from '../generated/prisma/enums.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

type Counts = Record<LeadStage, number>

const PipelineCounts = builder.objectRef<Counts>('PipelineCounts').implement({
  description: 'How many leads of the account are in each pipeline stage',
  fields: (t) => ({
    newLead: t.exposeInt('new_lead', { description: 'Leads just arrived, not yet worked' }),
    followUp: t.exposeInt('follow_up', { description: 'Leads in contact that need a follow-up' }),
    quoteInProgress: t.exposeInt('quote_in_progress', { description: 'Leads whose quote is being prepared' }),
    quoted: t.exposeInt('quoted', { description: 'Leads sent a quote' }),
    closedWon: t.exposeInt('closed_won', { description: 'Leads won: they became a sale' }),
    closedLost: t.exposeInt('closed_lost', { description: 'Leads lost: they will not buy' }),
  }),
})

builder.queryFields((t) => ({
  pipeline: t.field({
    type: PipelineCounts,
    description: 'How many leads are in each pipeline stage, zeros included (needs pipeline:read)',
    authScopes: { scope: 'pipeline:read' },
    resolve: async (_root, _args, ctx) => {
      const groups = await db.lead.groupBy({ by: ['pipelineStage'], where: { accountId: accountOf(ctx) }, _count: { _all: true } })
      const counts = Object.fromEntries(Object.values(LeadStage).map((stage) => [stage, 0])) as Counts
      for (const group of groups) counts[group.pipelineStage] = group._count._all
      return counts
    },
  }),
}))
