/**
 * Whether a text conversation's number opted out of SMS (replied STOP), so the inbox can show it
 * and disable its reply box. The STOP list keeps only hashes (services/opt-out.ts), so each
 * number is hashed here; the conversations of one request are answered by one query.
 */
import DataLoader from 'dataloader'
import type { Context } from '../context/context.js'
import { db } from '../db/client.js'
import { optOutHash } from '../services/opt-out.js'
import { builder } from './builder.js'

const TEXT_CHANNELS = new Set(['sms', 'imessage'])
const loaders = new WeakMap<Context, DataLoader<string, boolean>>()

/** Answers "has this hash opted out?" for every conversation of the request in one statement. */
function optOutLoader(ctx: Context, accountId: string): DataLoader<string, boolean> {
  let loader = loaders.get(ctx)
  if (!loader) {
    loader = new DataLoader<string, boolean>(async (hashes) => {
      const rows = await db.smsOptOut.findMany({ where: { accountId, phoneHash: { in: [...hashes] } }, select: { phoneHash: true } })
      const optedOut = new Set(rows.map((row) => row.phoneHash))
      return hashes.map((hash) => optedOut.has(hash))
    })
    loaders.set(ctx, loader)
  }
  return loader
}

builder.prismaObjectFields('Conversation', (t) => ({
  optedOut: t.boolean({
    description:
      'Whether the number replied STOP (and not START since): texts to it are cancelled, not sent. Always false for email and calls',
    select: { accountId: true, channel: true, participant: true },
    resolve: (conversation, _args, ctx) =>
      TEXT_CHANNELS.has(conversation.channel)
        ? optOutLoader(ctx, conversation.accountId).load(optOutHash(conversation.accountId, conversation.participant))
        : false,
  }),
}))
