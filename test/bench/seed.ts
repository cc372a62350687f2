/**
 * Bench data, inserted with set-based SQL (seconds, not minutes): accounts, one API key each,
 * conversations with messages. Returns what the load generator needs.
 */
import pg from 'pg'
import { generateApiKey } from '../../src/crypto.js'

export interface BenchData {
  accounts: { id: string; key: string; conversationIds: string[] }[]
}

export async function seedBench(
  databaseUrl: string,
  options = { accounts: 4, conversationsPerAccount: 2_500, messagesPerConversation: 20 },
): Promise<BenchData> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const accounts: BenchData['accounts'] = []
    for (let a = 0; a < options.accounts; a++) {
      const key = generateApiKey('LIVE')
      const {
        rows: [account],
      } = await client.query<{ id: string }>(
        `INSERT INTO accounts (id, name, access_code_hash, updated_at) VALUES (gen_random_uuid()::text, $1, md5(random()::text), now()) RETURNING id`,
        [`Bench ${a + 1}`],
      )
      await client.query(
        `INSERT INTO api_keys (id, account_id, name, prefix, key_hash, mode, scopes) VALUES (gen_random_uuid()::text, $1, 'bench', $2, $3, 'LIVE', $4)`,
        [
          account.id,
          key.prefix,
          key.hash,
          [
            'read:conversations',
            'read:transcripts',
            'read:hub',
            'write:hub',
            'leads:read',
            'leads:write',
            'quotes:read',
            'sms:send',
            'appointments:read',
            'pipeline:read',
          ],
        ],
      )
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO conversations (id, account_id, channel, status, participant, started_at, created_at, updated_at, message_count, last_message_at, metadata)
         SELECT gen_random_uuid()::text, $1,
                (ARRAY['sms','imessage','voice','email'])[1 + i % 4]::conversation_channel,
                (CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'open' END)::conversation_status,
                '+1512555' || lpad((i % 10000)::text, 4, '0'),
                now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval, now(), $2, now() - (i || ' minutes')::interval,
                jsonb_build_object('source', 'bench', 'n', i)
         FROM generate_series(1, $3) AS i
         RETURNING id`,
        [account.id, options.messagesPerConversation, options.conversationsPerAccount],
      )
      await client.query(
        `INSERT INTO messages (id, account_id, conversation_id, direction, channel, sender, content, status, created_at)
         SELECT gen_random_uuid()::text, c.account_id, c.id,
                (CASE WHEN m % 2 = 0 THEN 'inbound' ELSE 'outbound' END)::message_direction,
                c.channel,
                (CASE WHEN m % 2 = 0 THEN 'customer' ELSE 'ai' END)::message_sender,
                'Message ' || m || ' about the roof estimate and the schedule for next week.',
                'delivered', c.created_at + (m || ' seconds')::interval
         FROM conversations c CROSS JOIN generate_series(1, $2) AS m
         WHERE c.account_id = $1`,
        [account.id, options.messagesPerConversation],
      )
      accounts.push({ id: account.id, key: key.secret, conversationIds: rows.map((r) => r.id) })
    }
    await client.query('ANALYZE')
    return { accounts }
  } finally {
    await client.end()
  }
}

const STAGES = ['sales', 'contract', 'scheduled', 'production', 'billing', 'complete']
const STATUSES = ['contract_ready', 'contract_generated', 'build_day_confirmed', 'material_order_placed', 'paid_in_full']

/** Customers and projects for the Hub list and event-ingestion scenarios; returns project ids. */
export async function seedHub(databaseUrl: string, accountId: string, projects = 10_000): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(
      `INSERT INTO customers (id, account_id, name, first_name, last_name, email, phone, updated_at)
       SELECT gen_random_uuid()::text, $1, 'Customer ' || i, 'Pat', 'Customer' || i, 'customer' || i || '@example.com',
              '+1512' || lpad(i::text, 7, '0'), now()
       FROM generate_series(1, 2000) AS i`,
      [accountId],
    )
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO projects (id, account_id, customer_id, name, pipeline_stage, project_status, value, created_at, updated_at)
       SELECT gen_random_uuid()::text, $1, c.id, 'Project ' || i, ($2::text[])[1 + i % 6], ($3::text[])[1 + i % 5], 1000 + i,
              now() - (i || ' minutes')::interval, now()
       FROM generate_series(1, $4) AS i
       JOIN LATERAL (SELECT id FROM customers WHERE account_id = $1 OFFSET (i % 2000) LIMIT 1) c ON true
       RETURNING id`,
      [accountId, STAGES, STATUSES, projects],
    )
    await client.query('ANALYZE')
    return rows.map((r) => r.id)
  } finally {
    await client.end()
  }
}

const FIRST = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Maria',
  'Wei',
  'Aisha',
  'Carlos',
]
const LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Nguyen',
  'Okafor',
  'Patel',
  'Kim',
  'Walker',
  'Becker',
]

/** 100,000 leads with varied names, emails and phones, for the search scenario. */
export async function seedLeads(databaseUrl: string, accountId: string, count = 100_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(
      `INSERT INTO leads (id, account_id, name, first_name, last_name, email, phone, pipeline_stage, ai_status, created_at, updated_at)
       SELECT gen_random_uuid()::text, $1, f || ' ' || l, f, l, lower(f) || '.' || lower(l) || i || '@example.com',
              '+1' || (200 + i % 700) || lpad((i * 7919 % 10000000)::text, 7, '0'),
              (ARRAY['new_lead','follow_up','quote_in_progress','quoted','closed_won','closed_lost'])[1 + i % 6]::lead_stage,
              (ARRAY['hot','warm','cold','new'])[1 + i % 4]::ai_status,
              now() - (i || ' seconds')::interval, now()
       FROM generate_series(1, $2) AS i,
            LATERAL (SELECT ($3::text[])[1 + i % 16] AS f, ($4::text[])[1 + (i / 16) % 16] AS l) AS n`,
      [accountId, count, FIRST, LAST],
    )
    // The feed's changes get their positions, as the worker gives them within a few passes.
    while ((await client.query<{ n: string }>('SELECT sequence_changes($1) AS n', [accountId])).rows[0].n !== '0') {}
    // VACUUM flushes the GIN pending list a bulk insert leaves behind, as autovacuum would soon.
    await client.query('VACUUM ANALYZE leads')
    await client.query('VACUUM ANALYZE changes')
  } finally {
    await client.end()
  }
}
