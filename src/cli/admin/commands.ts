/**
 * The admin CLI's commands (`npm run admin -- <command>`). Each one runs the schema's admin
 * operations (the ones ADMIN_TOKEN unlocks) through `run`, so the CLI validates, authorizes and
 * fails exactly as those operations do over HTTP. Output: lines for people, or one JSON
 * document on stdout with `--json`. Exit codes: 0 done, 1 refused or failed, 2 wrong usage.
 */
import { parseArgs } from 'node:util'

/** Runs one GraphQL operation as the operator. */
export type RunOperation = (query: string, variables?: Record<string, unknown>) => Promise<{ data?: unknown; errors?: GraphQLErrorLike[] }>

interface GraphQLErrorLike {
  message: string
  extensions?: { code?: string }
}

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

export const USAGE = `Usage: npm run admin -- <command> [arguments] [--json]

Commands:
  list-accounts                         every account: id, name, SMS credits, created
  create-account <name>                 a new account; prints its access code (shown only once)
  rotate-code <account>                 a new access code; signs out every portal session
  recover-access <account>              for a lost code: a new one, with the portal URL to hand over
  grant-credits <account> <amount>      adds SMS credits (1 to 1,000,000)
  create-key <account> [--name N] [--mode live|test] [--scope S]... [--expires ISO-8601]
                                        an API key for the account; prints the key (shown only once)

<account> is an account id, or its exact name (case-insensitive) when no other account has it.
--json prints one JSON document on stdout, for scripts; errors go to stderr either way.`

class Failure extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exit: number = EXIT.failed,
  ) {
    super(message)
  }
}

const ACCOUNT_FIELDS = 'id name smsCredits createdAt'

interface Account {
  id: string
  name: string
  smsCredits: number
  createdAt: string
}

interface Parsed {
  command: string | undefined
  args: string[]
  json: boolean
  name?: string
  mode?: string
  scopes?: string[]
  expires?: string
}

function parse(argv: string[]): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        name: { type: 'string' },
        mode: { type: 'string' },
        scope: { type: 'string', multiple: true },
        expires: { type: 'string' },
      },
    })
    const [command, ...args] = values.help ? ['help'] : positionals
    return { command, args, json: values.json, name: values.name, mode: values.mode, scopes: values.scope, expires: values.expires }
  } catch (error) {
    throw new Failure((error as Error).message, 'USAGE', EXIT.usage)
  }
}

/** Runs one command line; returns the exit code. */
export async function runAdmin(argv: string[], run: RunOperation, io: Io, portalUrl: string): Promise<number> {
  let json = argv.includes('--json')
  try {
    const parsed = parse(argv)
    json = parsed.json
    const result = await dispatch(parsed, run, portalUrl)
    if (result === 'help') {
      io.out(USAGE)
      return EXIT.ok
    }
    io.out(json ? JSON.stringify(result.json, null, 2) : result.text)
    return EXIT.ok
  } catch (error) {
    if (!(error instanceof Failure)) throw error
    io.err(`error: ${error.message}`)
    if (error.exit === EXIT.usage) io.err(`\n${USAGE}`)
    if (json) io.out(JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2))
    return error.exit
  }
}

type Result = 'help' | { text: string; json: unknown }

async function dispatch(parsed: Parsed, run: RunOperation, portalUrl: string): Promise<Result> {
  const { command, args } = parsed
  const arity = (count: number, names: string) => {
    if (args.length !== count) throw new Failure(`${command} takes ${names}`, 'USAGE', EXIT.usage)
  }
  switch (command) {
    case undefined:
    case 'help':
      return 'help'
    case 'list-accounts': {
      arity(0, 'no arguments')
      const accounts = await listAccounts(run)
      const rows = accounts.map((a) => `${a.id}  ${String(a.smsCredits).padStart(8)}  ${a.createdAt.slice(0, 10)}  ${a.name}`)
      const text = accounts.length
        ? [`${'id'.padEnd(accounts[0].id.length)}  ${'credits'.padStart(8)}  created     name`, ...rows].join('\n')
        : 'No accounts.'
      return { text, json: { accounts } }
    }
    case 'create-account': {
      arity(1, 'the account name: create-account <name>')
      const data = await call<{ createAccount: { account: Account; accessCode: string } }>(
        run,
        `mutation($name: String!) { createAccount(input: { name: $name }) { accessCode account { ${ACCOUNT_FIELDS} } } }`,
        {
          name: args[0],
        },
      )
      const { account, accessCode } = data.createAccount as { account: Account; accessCode: string }
      return {
        text: accessText('Account created.', account, accessCode, portalUrl),
        json: { account, accessCode, portalUrl },
      }
    }
    case 'rotate-code':
    case 'recover-access': {
      arity(1, `one account: ${command} <account>`)
      const account = await findAccount(run, args[0])
      const data = await call<{ rotateAccessCode: { accessCode: string } }>(
        run,
        'mutation($id: ID!) { rotateAccessCode(accountId: $id) { accessCode } }',
        { id: account.id },
      )
      const { accessCode } = data.rotateAccessCode as { accessCode: string }
      const heading =
        command === 'recover-access'
          ? 'Access recovered: hand this code to the account owner. The lost code no longer works and every portal session was signed out.'
          : 'Access code rotated: the old code no longer works and every portal session was signed out.'
      return { text: accessText(heading, account, accessCode, portalUrl), json: { account, accessCode, portalUrl } }
    }
    case 'grant-credits': {
      arity(2, 'an account and an amount: grant-credits <account> <amount>')
      const amount = Number(args[1])
      if (!Number.isSafeInteger(amount)) throw new Failure(`amount must be a whole number, not "${args[1]}"`, 'BAD_REQUEST')
      const account = await findAccount(run, args[0])
      const data = await call<{ grantSmsCredits: { account: Account } }>(
        run,
        `mutation($id: ID!, $amount: Int!) { grantSmsCredits(accountId: $id, amount: $amount) { account { ${ACCOUNT_FIELDS} } } }`,
        {
          id: account.id,
          amount,
        },
      )
      const granted = data.grantSmsCredits.account as Account
      return {
        text: `Granted ${amount} SMS credits to ${granted.name} (${granted.id}): ${granted.smsCredits} now.`,
        json: { account: granted, granted: amount },
      }
    }
    case 'create-key': {
      arity(1, 'one account: create-key <account> [--name N] [--mode live|test] [--scope S]... [--expires ISO-8601]')
      const mode = (parsed.mode ?? 'live').toLowerCase()
      if (mode !== 'live' && mode !== 'test') throw new Failure(`--mode must be live or test, not "${parsed.mode}"`, 'USAGE', EXIT.usage)
      const account = await findAccount(run, args[0])
      const input = { name: parsed.name ?? 'admin CLI', mode, scopes: parsed.scopes, expiresAt: parsed.expires }
      const data = await call<{
        createAccountApiKey: { secret: string; apiKey: { id: string; name: string; mode: string; scopes: string[] } }
      }>(
        run,
        'mutation($id: ID!, $input: CreateApiKeyInput!) { createAccountApiKey(accountId: $id, input: $input) { secret apiKey { id name prefix mode scopes expiresAt } } }',
        { id: account.id, input },
      )
      const { secret, apiKey } = data.createAccountApiKey as {
        secret: string
        apiKey: { id: string; name: string; mode: string; scopes: string[] }
      }
      const text = [
        `API key created for ${account.name} (${account.id}); it is shown only now:`,
        '',
        `  ${secret}`,
        '',
        `id ${apiKey.id}, name "${apiKey.name}", ${apiKey.mode}, scopes: ${apiKey.scopes.join(', ')}`,
      ].join('\n')
      return { text, json: { account, secret, apiKey } }
    }
    default:
      throw new Failure(`unknown command "${command}"`, 'USAGE', EXIT.usage)
  }
}

async function call<T>(run: RunOperation, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { data, errors } = await run(query, variables)
  if (errors?.length) {
    const first = errors[0]
    throw new Failure(errors.map((e) => e.message).join('; '), first.extensions?.code ?? 'FAILED')
  }
  return data as T
}

async function listAccounts(run: RunOperation): Promise<Account[]> {
  return (await call<{ accounts: Account[] }>(run, `query { accounts { ${ACCOUNT_FIELDS} } }`)).accounts
}

/** An account by id, or by its name when exactly one account has it (names are not unique). */
async function findAccount(run: RunOperation, idOrName: string): Promise<Account> {
  const accounts = await listAccounts(run)
  const byId = accounts.find((a) => a.id === idOrName)
  if (byId) return byId
  const named = accounts.filter((a) => a.name.toLowerCase() === idOrName.trim().toLowerCase())
  if (named.length === 1) return named[0]
  if (named.length > 1)
    throw new Failure(`${named.length} accounts are named "${idOrName}": give the id (${named.map((a) => a.id).join(', ')})`, 'AMBIGUOUS')
  throw new Failure(`no account has the id or name "${idOrName}" (list-accounts shows them)`, 'NOT_FOUND')
}

function accessText(heading: string, account: Account, accessCode: string, portalUrl: string) {
  return [
    heading,
    '',
    `  Portal:       ${portalUrl}`,
    `  Account:      ${account.name} (${account.id})`,
    `  Access code:  ${accessCode}`,
    '',
  ].join('\n')
}
