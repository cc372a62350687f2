/**
 * The CSV import job (decisions 0024, 0027). An import in `checking` (the dry run) or `importing`
 * is claimed by one process at a time with FOR UPDATE SKIP LOCKED under a lease (decision 0002);
 * the job reads the file in order and checks BATCH_ROWS rows at a time. The dry run records each
 * batch's problems and counts and renews its lease; the import writes a batch's good rows as a set
 * (./set-writes.ts) in the same transaction as that record, so a process that dies loses its open
 * batch whole and the next claim, once the lease runs out, resumes at the first unrecorded row.
 *
 * It runs in its own loop beside the worker's passes (`startCsvImports`), so a long import never
 * holds up due messages or webhooks, and it yields after every batch so requests in the same
 * process keep being answered.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { asActor } from '../../db/change-tags.js'
import { db } from '../../db/client.js'
import { dataExceptionOf, errorCodeOf } from '../../errors.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { CsvImportKind, CsvImportStatus } from '../../generated/prisma/enums.js'
import { checkRow, IMPORT_KINDS, rowInput } from './fields.js'
import { type CsvRecord, readRecords } from './reading.js'
import { type RowWrite, writeSet } from './set-writes.js'

/** Rows per batch: one transaction of a fixed number of statements each (./set-writes.ts). */
export const BATCH_ROWS = 250
/** After each batch, requests have the database connection and the event loop to themselves for a turn. */
const yieldToRequests = () => new Promise((resolve) => setImmediate(resolve))

interface Claimed {
  id: string
  accountId: string
  kind: CsvImportKind
  status: Extract<CsvImportStatus, 'checking' | 'importing'>
  mapping: Record<string, number>
  processedRows: number
  token: string
}

export interface SliceOptions {
  leaseMs: number
  /** Stop after this many batches without finishing or releasing the lease (tests: a process killed mid-import). */
  maxBatches?: number
  /** Only imports of these accounts (tests that share a database). */
  accountIds?: readonly string[]
  logger?: Logger
  /** Checked between batches: once true, the import's lease is handed back and the next claim resumes it. */
  stopping?: () => boolean
}

export interface SliceResult {
  importId: string
  /** Data rows already done when this claim started (0 unless it resumed). */
  resumedFrom: number
  processedRows: number
  finished: boolean
}

/** Claims the oldest import that is due and not held by a live lease. */
async function claim(leaseMs: number, accountIds?: readonly string[]): Promise<Claimed | undefined> {
  const token = randomUUID()
  const now = new Date()
  const scope = accountIds?.length ? Prisma.sql`AND account_id IN (${Prisma.join(accountIds)})` : Prisma.empty
  const rows = await db.$queryRaw<Omit<Claimed, 'token'>[]>`
    UPDATE csv_imports SET lease_expires_at = ${new Date(now.getTime() + leaseMs)}, lease_token = ${token}
    WHERE id = (
      SELECT id FROM csv_imports
      WHERE status IN ('checking', 'importing') AND (lease_expires_at IS NULL OR lease_expires_at <= ${now}) ${scope}
      ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id, account_id AS "accountId", kind, status, mapping, processed_rows AS "processedRows"`
  return rows[0] && { ...rows[0], token }
}

interface BatchTally {
  processed: number
  problems: { line: number; message: string }[]
  created: number
  updated: number
}

/** The import's claim was lost (an owner's cancel, or its lease ran out and another process took it). */
class ClaimLost extends Error {}

/** Long enough for a batch on a busy embedded database, whose one connection requests share. */
const BATCH_TRANSACTION = { maxWait: 30_000, timeout: 60_000 }

/**
 * Checks a batch, and when importing writes its good rows as a set with the batch's progress in one
 * transaction (./set-writes.ts): a process that dies loses the whole batch or none of it. Answers
 * false when the claim was lost, with nothing of the batch written.
 */
async function runBatch(job: Claimed, batch: CsvRecord[], leaseMs: number, finished: boolean, logger?: Logger): Promise<boolean> {
  const tally: BatchTally = { processed: batch.length, problems: [], created: 0, updated: 0 }
  const good: RowWrite[] = []
  for (const record of batch) {
    const result = checkRow(job.kind, rowInput(job.kind, job.mapping, record.cells))
    if (result.ok) good.push({ line: record.line, input: result.value })
    else tally.problems.push({ line: record.line, message: result.problem })
  }
  if (job.status === 'checking') {
    await dryRun(job, good, tally)
    return recordBatch(job, tally, leaseMs, finished)
  }
  try {
    return await db.$transaction(async (tx) => {
      const outcome = await writeSet(tx, job.kind, job.accountId, good)
      const written = { ...tally, created: outcome.created, updated: outcome.updated, problems: [...tally.problems, ...outcome.problems] }
      if (!(await recordIn(tx, job, written, leaseMs, finished))) throw new ClaimLost()
      return true
    }, BATCH_TRANSACTION)
  } catch (error) {
    if (error instanceof ClaimLost) return false
    // A row the database refuses fails the whole set (and rolls it back): row by row, it is that row's problem.
    logger?.warn({ csv_import: job.id, err: error }, 'csv import batch refused as a set; writing it row by row')
    await writeRowByRow(job, good, tally)
    return recordBatch(job, tally, leaseMs, finished)
  }
}

/** The dry run: each good row's record looked up (one statement for the batch), counted as a create or an update. */
async function dryRun(job: Claimed, good: RowWrite[], tally: BatchTally) {
  const kind = IMPORT_KINDS[job.kind]
  const ids = good.map((row) => String(row.input.externalId))
  const existing = ids.length ? await kind.existing(job.accountId, ids) : new Set<string>()
  for (const { line, input } of good) {
    const exists = existing.has(String(input.externalId))
    const problem = kind.rowCheck?.(input, exists)
    if (problem) tally.problems.push({ line, message: problem })
    else if (exists) tally.updated++
    else tally.created++
  }
  tally.problems.sort((a, b) => a.line - b.line)
}

/** One upsert per row, each in its own transaction: the way round a row the database refuses. */
async function writeRowByRow(job: Claimed, good: RowWrite[], tally: BatchTally) {
  const kind = IMPORT_KINDS[job.kind]
  const existing = good.length
    ? await kind.existing(
        job.accountId,
        good.map((row) => String(row.input.externalId)),
      )
    : new Set<string>()
  for (const { line, input } of good) {
    const problem = kind.rowCheck?.(input, existing.has(String(input.externalId)))
    if (problem) {
      tally.problems.push({ line, message: problem })
      continue
    }
    try {
      const { created } = await kind.write(job.accountId, input as never)
      if (created) tally.created++
      else tally.updated++
      existing.add(String(input.externalId))
    } catch (error) {
      const problem = refusalOf(error)
      if (!problem) throw error // the database or the network failing: the job retries once its lease runs out
      tally.problems.push({ line, message: problem })
    }
  }
  tally.problems.sort((a, b) => a.line - b.line)
}

/**
 * Why a row was refused, when the refusal is the row's: one the API answers 4xx (e.g. an email
 * another record holds), a value PostgreSQL cannot store (SQLSTATE class 22) or a constraint it
 * breaks (class 23). The message never quotes the row's values.
 */
function refusalOf(error: unknown): string | undefined {
  const code = errorCodeOf(error)
  if (code && code !== 'INTERNAL_SERVER_ERROR' && code !== 'SERVICE_UNAVAILABLE') return (error as Error).message
  const data = dataExceptionOf(error)
  if (data) return data.message
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta?.driverAdapterError?.cause
  if (typeof cause?.originalCode === 'string' && cause.originalCode.startsWith('23')) return 'the row breaks a rule of the database'
  return undefined
}

const recordBatch = (job: Claimed, tally: BatchTally, leaseMs: number, finished: boolean) =>
  db.$transaction((tx) => recordIn(tx, job, tally, leaseMs, finished))

/**
 * Records a batch: progress, counts and problems, and a renewed lease, only while this claim
 * still holds the import in the phase it claimed (an owner's cancel ends the job here).
 */
async function recordIn(tx: Prisma.TransactionClient, job: Claimed, tally: BatchTally, leaseMs: number, finished: boolean) {
  const next: CsvImportStatus = job.status === 'checking' ? 'checked' : 'done'
  const updated = await tx.csvImport.updateMany({
    where: { id: job.id, leaseToken: job.token, status: job.status },
    data: {
      processedRows: { increment: tally.processed },
      problemRows: { increment: tally.problems.length },
      createdRows: { increment: tally.created },
      updatedRows: { increment: tally.updated },
      ...(finished
        ? { status: next, leaseToken: null, leaseExpiresAt: null, finishedAt: next === 'done' ? new Date() : null }
        : { leaseExpiresAt: new Date(Date.now() + leaseMs) }),
    },
  })
  if (updated.count === 0) return false
  if (tally.problems.length) {
    await tx.csvImportProblem.createMany({
      data: tally.problems.map((p) => ({ ...p, importId: job.id, accountId: job.accountId })),
      skipDuplicates: true,
    })
  }
  // The uploaded rows are personal data: kept no longer than the import needs them.
  if (finished && next === 'done') await tx.csvImportChunk.deleteMany({ where: { importId: job.id } })
  return true
}

/** Claims one due import and works on it until it is finished (or `maxBatches` is reached); undefined when none is due. */
export async function runImportSlice(options: SliceOptions): Promise<SliceResult | undefined> {
  const job = await claim(options.leaseMs, options.accountIds)
  if (!job) return undefined
  return asActor('csv_import', () => work(job, options))
}

async function work(job: Claimed, options: SliceOptions): Promise<SliceResult> {
  const result: SliceResult = { importId: job.id, resumedFrom: job.processedRows, processedRows: job.processedRows, finished: false }
  let seen = 0
  let batches = 0
  let batch: CsvRecord[] = []
  const flush = async (finished: boolean) => {
    const size = batch.length
    const recorded = await runBatch(job, batch, options.leaseMs, finished, options.logger)
    batch = []
    batches++
    if (!recorded) return false
    result.processedRows += size
    result.finished = finished
    // Between batches the connection and the event loop are the requests' for a moment.
    if (!finished) await yieldToRequests()
    return true
  }
  let header = true
  for await (const record of readRecords(job.id)) {
    if (header) {
      header = false
      continue
    }
    if (seen++ < job.processedRows) continue // done before the claim this one resumes
    batch.push(record)
    if (batch.length < BATCH_ROWS) continue
    if (!(await flush(false))) return result
    if (options.maxBatches !== undefined && batches >= options.maxBatches) return result
    if (options.stopping?.()) {
      await releaseLease(job)
      return result
    }
  }
  await flush(true)
  options.logger?.info({ csv_import: job.id, rows: result.processedRows, phase: job.status }, 'csv import phase finished')
  return result
}

/** Hands the import back at once (a process stopping), so the next claim need not wait for the lease to run out. */
async function releaseLease(job: Claimed): Promise<void> {
  await db.csvImport.updateMany({ where: { id: job.id, leaseToken: job.token }, data: { leaseToken: null, leaseExpiresAt: null } })
}

/**
 * Runs due imports until stopped, polling every `pollMs` when there is none; the returned stop()
 * lets the batch in progress finish, at most `graceMs`, and hands its import back (an import cut
 * off by the grace resumes at its last batch once its lease runs out).
 */
export function startCsvImports(options: { leaseMs: number; pollMs: number; logger?: Logger; accountIds?: readonly string[] }) {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const tick = async () => {
    let found = false
    try {
      const slice = { leaseMs: options.leaseMs, accountIds: options.accountIds, logger: options.logger, stopping: () => stopped }
      found = (await runImportSlice(slice)) !== undefined
    } catch (error) {
      options.logger?.error({ err: error }, 'csv import failed; it resumes once its lease runs out')
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), found ? 0 : options.pollMs)
  }
  running = tick()
  return async (graceMs = 5_000) => {
    stopped = true
    clearTimeout(timer)
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, graceMs).unref())])
  }
}
