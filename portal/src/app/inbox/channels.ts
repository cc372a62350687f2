import type { ConversationChannel } from '../../gql/graphql'

export const CHANNELS: ConversationChannel[] = ['sms', 'imessage', 'email', 'voice']

export const CHANNEL_LABELS: Record<ConversationChannel, string> = { sms: 'SMS', imessage: 'iMessage', email: 'Email', voice: 'Call' }
