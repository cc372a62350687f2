import type { LeadStage } from '../../gql/graphql'

/** A lead's pipeline stages, in the order a lead moves through them. */
export const LEAD_STAGES: readonly LeadStage[] = ['new_lead', 'follow_up', 'quote_in_progress', 'quoted', 'closed_won', 'closed_lost']
