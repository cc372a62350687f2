/** Sending an SMS to a lead (scope sms:send); the work is in src/services/sms.ts. */

import { z } from 'zod'
import { isTestKey } from '../context/principal.js'
import { MAX_SMS_CHARS, sendLeadSms } from '../services/sms.js'
import { builder } from './builder.js'
import { id, requiredText } from './rules.js'
import { accountOf } from './tenancy.js'

const SmsResult = builder.objectRef<{ messageId: string }>('SmsResult').implement({
  description: 'An SMS accepted for sending',
  fields: (t) => ({
    success: t.boolean({ description: 'Always true: a failed send is an error instead', resolve: () => true }),
    message: t.string({ description: 'Always "SMS sent", for people reading the answer', resolve: () => 'SMS sent' }),
    messageId: t.exposeID('messageId', { description: "The stored message, in the lead's SMS conversation" }),
  }),
})

/** What `sendSms` takes; the lead/quote API's own words for missing fields are in src/rest/leads.ts. */
export const smsRules = z.object({
  leadId: id.describe('The lead to text; its phone is the recipient'),
  message: requiredText(MAX_SMS_CHARS).describe(`The text, at most ${MAX_SMS_CHARS} characters`),
})

builder.mutationFields((t) => ({
  sendSms: t.field({
    type: SmsResult,
    description: 'Sends one SMS to a lead for one SMS credit (test keys and accounts in test mode: no Twilio, no credit)',
    authScopes: { scope: 'sms:send' },
    args: {
      leadId: t.arg.id({ required: true, validate: smsRules.shape.leadId, description: smsRules.shape.leadId.description }),
      message: t.arg.string({ required: true, validate: smsRules.shape.message, description: smsRules.shape.message.description }),
    },
    resolve: (_root, args, ctx) =>
      sendLeadSms({ accountId: accountOf(ctx), config: ctx.config, test: isTestKey(ctx.principal) }, String(args.leadId), args.message),
  }),
}))
