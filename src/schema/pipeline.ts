/** Lead counts per pipeline stage: every stage present, zeros included, in one GROUP BY. */
import { db } from '../db/client.js'
import { LeadStage } from '../generated/prisma/enums.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

type Counts = Record<LeadStage, number>

const PipelineCounts = builder.objectRef<Counts>('PipelineCounts').implement({
  description: 'How many leads of the account are in each pipeline stage',
  fields: (t) => ({
    newLead: t.exposeInt('new_lead'),
    followUp: t.exposeInt('follow_up'),
    quoteInProgress: t.exposeInt('quote_in_progress'),
    quoted: t.exposeInt('quoted'),
    closedWon: t.exposeInt('closed_won'),
    closedLost: t.exposeInt('closed_lost'),
  }),
})

builder.queryFields((t) => ({
  pipeline: t.field({
    type: PipelineCounts,
    authScopes: { scope: 'pipeline:read' },
    resolve: async (_root, _args, ctx) => {
      const groups = await db.lead.groupBy({ by: ['pipelineStage'], where: { accountId: accountOf(ctx) }, _count: { _all: true } })
      const counts = Object.fromEntries(Object.values(LeadStage).map((stage) => [stage, 0])) as Counts
      for (const group of groups) counts[group.pipelineStage] = group._count._all
      return counts
    },
  }),
}))
