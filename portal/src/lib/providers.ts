/** What each provider's form asks for (the Hub API's integration settings); secrets are write-only. */
export interface ProviderField {
  name: string
  label: string
  secret?: boolean
  required?: boolean
  type?: 'text' | 'number' | 'email' | 'tel'
  placeholder?: string
}

export interface ProviderForm {
  name: 'sendblue' | 'vapi' | 'twilio' | 'email'
  title: string
  description: string
  fields: ProviderField[]
  /** Callback paths under the server's public URL; `{accountId}` is filled in. */
  callbacks: { label: string; path: string }[]
}

export const PROVIDER_FORMS: ProviderForm[] = [
  {
    name: 'sendblue',
    title: 'Sendblue',
    description: 'iMessage and SMS.',
    fields: [
      { name: 'api_key', label: 'API key', secret: true, required: true },
      { name: 'api_secret', label: 'API secret', secret: true },
      { name: 'from_number', label: 'From number', type: 'tel', placeholder: '+15555550100' },
      { name: 'signing_secret', label: 'Webhook signing secret', secret: true },
    ],
    callbacks: [{ label: 'Status and inbound webhook URL', path: '/callbacks/sendblue/{accountId}' }],
  },
  {
    name: 'vapi',
    title: 'Vapi',
    description: 'AI voice calls.',
    fields: [
      { name: 'api_key', label: 'API key', secret: true, required: true },
      { name: 'assistant_id', label: 'Assistant ID' },
      { name: 'phone_number_id', label: 'Phone number ID' },
      { name: 'server_secret', label: 'Server URL secret', secret: true },
    ],
    callbacks: [{ label: 'Server URL', path: '/callbacks/vapi/{accountId}' }],
  },
  {
    name: 'twilio',
    title: 'Twilio',
    description: 'SMS.',
    fields: [
      { name: 'account_sid', label: 'Account SID', placeholder: 'AC…' },
      { name: 'api_key', label: 'Auth token', secret: true, required: true },
      { name: 'from_number', label: 'From number', type: 'tel', placeholder: '+15555550100' },
    ],
    callbacks: [
      { label: 'Status callback URL', path: '/callbacks/twilio/{accountId}/status' },
      { label: 'Inbound message webhook URL', path: '/callbacks/twilio/{accountId}/inbound' },
    ],
  },
  {
    name: 'email',
    title: 'Email',
    description: 'Outgoing email over SMTP.',
    fields: [
      { name: 'host', label: 'SMTP host', placeholder: 'smtp.example.com' },
      { name: 'port', label: 'Port', type: 'number', placeholder: '587' },
      { name: 'username', label: 'Username' },
      { name: 'api_key', label: 'Password or API key', secret: true, required: true },
      { name: 'from_address', label: 'From address', type: 'email', placeholder: 'office@example.com' },
    ],
    callbacks: [],
  },
]
