/** Sending an SMS to a lead (scope sms:send); the work is in src/services/sms.ts. */
import { isTestKey } from '../context/principal.js'
import { sendLeadSms } from '../services/sms.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

const SmsResult = builder.objectRef<{ messageId: string }>('SmsResult').implement({
  fields: (t) => ({
    success: t.boolean({ resolve: () => true }),
    message: t.string({ resolve: () => 'SMS sent' }),
    messageId: t.exposeID('messageId', { description: "The stored message, in the lead's SMS conversation" }),
  }),
})

builder.mutationFields((t) => ({
  sendSms: t.field({
    type: SmsResult,
    description: 'Sends one SMS to a lead for one SMS credit (test keys: no Twilio, no credit)',
    authScopes: { scope: 'sms:send' },
    args: { leadId: t.arg.id({ required: true }), message: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      sendLeadSms({ accountId: accountOf(ctx), config: ctx.config, test: isTestKey(ctx.principal) }, String(args.leadId), args.message),
  }),
}))
