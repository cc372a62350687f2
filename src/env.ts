/**
 * The operator's configuration. Every variable of the operator contract (shared spec operator.md)
 * is parsed and validated here once; a bad configuration fails at
 * start-up with one line per problem, naming the variable. (The schema builder also reads
 * NODE_ENV directly: the schema is built once per process, at import, before any configuration.)
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseEnv } from 'node:util'
import { z } from 'zod'

const flag = z
  .enum(['1', '0', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true')

const url = (name: string) =>
  z
    .string()
    .url(`${name} must be an absolute URL`)
    .transform((v) => v.replace(/\/+$/, ''))

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
      .optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** Longest wait for a PostgreSQL connection: opening one, or a free one from a busy pool. */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    /**
     * Longest wait for one statement's answer, measured in this process, so a frozen or
     * unreachable server fails a request (503) instead of holding it. Keep it above any
     * server-side statement timeout.
     */
    DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** How long start-up keeps retrying an unreachable database (with backoff) before it gives up. */
    DATABASE_CONNECT_RETRY_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    /**
     * PostgreSQL (DATABASE_URL) cancels any one statement that runs longer (the request answers 503);
     * 0 turns the limit off. Below DATABASE_QUERY_TIMEOUT_MS, so the server's own limit acts first.
     */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(8_000),
    DATA_DIR: z.string().min(1).default('./data'),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
      .optional(),
    /** Longest wait for a Redis connection; meanwhile counters are kept in memory. */
    REDIS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
    /** Longest wait for one Redis answer before the request is counted in memory instead. */
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
    SECRET_KEY: z.string().min(32, 'SECRET_KEY must be at least 32 characters').optional(),
    ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
    BOOTSTRAP_ACCESS_CODE: z.string().min(6, 'BOOTSTRAP_ACCESS_CODE must be at least 6 characters').max(200).optional(),
    PUBLIC_URL: url('PUBLIC_URL').optional(),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(100),
    SENDBLUE_API_URL: url('SENDBLUE_API_URL').default('https://api.sendblue.co'),
    VAPI_API_URL: url('VAPI_API_URL').default('https://api.vapi.ai'),
    TWILIO_API_URL: url('TWILIO_API_URL').default('https://api.twilio.com'),
    /** Deadline for one provider request (Sendblue, Vapi, Twilio); tests shorten it. */
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(10_000),
    ALLOW_PRIVATE_WEBHOOK_URLS: flag,
    /**
     * Lets the email integration reach SMTP servers on private, loopback or link-local addresses
     * and on any port (local testing, or a relay inside the operator's own network).
     */
    ALLOW_PRIVATE_SMTP_HOSTS: flag,
    /** Comma-separated origins (besides PUBLIC_URL's) whose pages may call with the portal's session cookie. */
    CORS_CREDENTIAL_ORIGINS: z
      .string()
      .optional()
      .transform((v) =>
        v
          ? v
              .split(',')
              .map((origin) => origin.trim())
              .filter(Boolean)
          : [],
      )
      .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'CORS_CREDENTIAL_ORIGINS must list origins such as https://crm.example.com'))),
    /** Background worker (services/worker/): how long a claimed message belongs to its worker before another may recover it. */
    WORKER_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
    /** Pause between worker passes when there was nothing to do. */
    WORKER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
    /** Messages one worker pass claims, and how many of them it sends at once. */
    WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
    /** Comma-separated account ids: confines this worker to them (a dedicated sender for a large account). */
    WORKER_ACCOUNTS: z
      .string()
      .optional()
      .transform((v) =>
        v
          ? v
              .split(',')
              .map((id) => id.trim())
              .filter(Boolean)
          : undefined,
      ),
    /** The most a GraphQL operation may cost (docs/graphql.md#limits): roughly the objects its answer can hold. */
    GRAPHQL_MAX_COST: z.coerce.number().int().min(1).max(10_000_000).default(5_000),
    /** Deepest nesting of fields in one GraphQL operation (introspection excluded). */
    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).max(1_000).default(12),
    /** Aliased fields in one GraphQL operation. */
    GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(100_000).default(100),
    /** Tokens (names, punctuation, values) in one GraphQL document; the parser stops at the first one past it. */
    GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(1_000),
    /** Directives in one GraphQL operation. */
    GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(10_000).default(50),
    /** Schema introspection and "Did you mean" suggestions; unset → on, except with NODE_ENV=production. */
    GRAPHQL_INTROSPECTION: z
      .enum(['1', '0', 'true', 'false'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === '1' || v === 'true')),
    /** How often an idle subscription stream (server-sent events) sends a heartbeat comment, so proxies keep it open. */
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    /** Bearer token of GET /metrics (docs/operations.md#metrics); unset → no /metrics at all. */
    METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
    /** OTLP/HTTP collector (e.g. http://127.0.0.1:4318): spans go to <it>/v1/traces; unset → tracing off. */
    OTEL_EXPORTER_OTLP_ENDPOINT: url('OTEL_EXPORTER_OTLP_ENDPOINT').optional(),
    /** The `service.name` of exported spans. */
    OTEL_SERVICE_NAME: z.string().min(1).max(200).default('crm'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Server processes `npm start` runs on one port; unset → one per core on PostgreSQL, 1 on the embedded database. */
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
    /** Background worker processes `npm start` runs beside more than one server process; 0: none (workers run elsewhere). */
    WORKER_PROCESSES: z.coerce.number().int().min(0).max(64).default(1),
    /** Set by the cluster primary in each child's environment: the part it plays. Not for operators. */
    CRM_PROCESS_ROLE: z.enum(['web', 'worker']).optional(),
  })
  .superRefine((env, ctx) => {
    // A lease that could expire while a provider request is still running would let a second worker resend it.
    if (env.WORKER_LEASE_MS <= env.PROVIDER_TIMEOUT_MS * 2) {
      ctx.addIssue({ code: 'custom', path: ['WORKER_LEASE_MS'], message: 'WORKER_LEASE_MS must exceed twice PROVIDER_TIMEOUT_MS' })
    }
    // The server's statement timeout answers with its cause; the client-side deadline is for a server that cannot answer.
    if (env.DATABASE_STATEMENT_TIMEOUT_MS >= env.DATABASE_QUERY_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_STATEMENT_TIMEOUT_MS'],
        message: 'DATABASE_STATEMENT_TIMEOUT_MS must be below DATABASE_QUERY_TIMEOUT_MS',
      })
    }
    // The embedded database is a folder one process opens: more processes need a database server.
    if (!env.DATABASE_URL && ((env.WEB_CONCURRENCY ?? 1) > 1 || env.WORKER_PROCESSES > 1)) {
      const variable = (env.WEB_CONCURRENCY ?? 1) > 1 ? 'WEB_CONCURRENCY' : 'WORKER_PROCESSES'
      ctx.addIssue({
        code: 'custom',
        path: [variable],
        message: `${variable} above 1 needs DATABASE_URL: the embedded database belongs to one process`,
      })
    }
    if (env.NODE_ENV === 'production' && env.DATABASE_URL && !env.SECRET_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: 'SECRET_KEY is required with DATABASE_URL in production' })
    }
  })

export type Env = z.infer<typeof schema>

/** The parsed configuration the server runs with. */
export interface Config extends Omit<Env, 'PUBLIC_URL' | 'DATA_DIR' | 'GRAPHQL_INTROSPECTION' | 'WEB_CONCURRENCY'> {
  DATA_DIR: string
  WEB_CONCURRENCY: number
  PUBLIC_URL: string
  GRAPHQL_INTROSPECTION: boolean
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/**
 * A start-up failure the operator can fix (a database that cannot be reached, a port in use, a
 * DATA_DIR that cannot be written or is in use): printed as one line naming the variable.
 */
export class StartupError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message)
  }
}

/** Parses an environment (process.env by default); throws ConfigError listing every problem. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = schema.safeParse(cleaned)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`))
  }
  const env = parsed.data
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST
  return {
    ...env,
    DATA_DIR: path.resolve(env.DATA_DIR),
    PUBLIC_URL: env.PUBLIC_URL ?? `http://${host}:${env.PORT}`,
    GRAPHQL_INTROSPECTION: env.GRAPHQL_INTROSPECTION ?? env.NODE_ENV !== 'production',
    WEB_CONCURRENCY: env.WEB_CONCURRENCY ?? (env.DATABASE_URL ? os.availableParallelism() : 1),
  }
}

/**
 * Fills `target` (process.env) from an env file (`KEY=value` lines, `#` comments, quotes as in
 * dotenv): a variable the environment already sets, to anything but the empty string, keeps its
 * value, so the environment overrides the file. A missing file is no error. Returns the names it set.
 */
export function applyEnvFile(file: string, target: Record<string, string | undefined> = process.env): string[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return []
    throw new StartupError(path.basename(file), `${path.resolve(file)} cannot be read (${code})`)
  }
  const set: string[] = []
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (target[name] !== undefined && target[name] !== '') continue
    target[name] = value
    set.push(name)
  }
  return set
}
