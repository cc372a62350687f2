/**
 * CSV imports over GraphQL (decision 0024): the file arrives in numbered base64 chunks
 * (`startCsvImport`, `appendCsvImportChunk`, `completeCsvUpload`), the owner maps columns to fields
 * and asks for the dry run (`checkCsvImport`), reads the problems by line, then runs the import
 * (`runCsvImport`). The dry run and the import run in the worker (./runner.ts); the page polls
 * `csvImport` for progress, and finds unfinished imports again in `csvImports`.
 */

import type { Context } from '../../context/context.js'
import { hasScope } from '../../context/principal.js'
import { db } from '../../db/client.js'
import { AppError, badRequest, conflict, notFound } from '../../errors.js'
import type { CsvImport as CsvImportRow, Prisma } from '../../generated/prisma/client.js'
import { CsvImportKind, CsvImportStatus } from '../../generated/prisma/enums.js'
import { builder } from '../builder.js'
import { accountOf } from '../tenancy.js'
import { IMPORT_KINDS } from './fields.js'
import { MAX_CHUNK_BYTES, MAX_FILE_BYTES, readRecords } from './reading.js'

const CsvImportKindType = builder.enumType(CsvImportKind, {
  name: 'CsvImportKind',
  description: 'The records a CSV file holds',
  values: { customers: { description: 'Customers, upserted by external_id' }, leads: { description: 'Leads, upserted by external_id' } },
})

const CsvImportStatusType = builder.enumType(CsvImportStatus, {
  name: 'CsvImportStatus',
  description: 'Where an import stands',
  values: {
    uploading: { description: 'Chunks are arriving' },
    uploaded: { description: 'The file is complete and well-formed; map its columns and run the dry run' },
    checking: { description: 'The dry run is checking every row' },
    checked: { description: 'The dry run is over: read the problems, then run the import' },
    importing: { description: 'The rows without problems are being upserted' },
    done: { description: 'Every row without a problem was imported' },
    cancelled: { description: 'Cancelled by the owner; nothing more is imported' },
  },
})

const CsvImportField = builder.objectRef<{ name: string; description: string; required: boolean }>('CsvImportField').implement({
  description: 'A record field a CSV column can fill',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The field, in snake_case (as in the CSV export)' }),
    description: t.exposeString('description', { description: 'What the field holds' }),
    required: t.exposeBoolean('required', { description: 'Whether a column must be mapped to it' }),
  }),
})

const CsvColumnMapping = builder.objectRef<{ field: string; column: string }>('CsvColumnMapping').implement({
  description: 'Which column of the file fills which field',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The record field, in snake_case' }),
    column: t.exposeString('column', { description: 'The column header in the file' }),
  }),
})

const CsvColumnMappingInput = builder.inputType('CsvColumnMappingInput', {
  description: 'Which column of the file fills which field',
  fields: (t) => ({
    field: t.string({ required: true, description: 'The record field, in snake_case (see csvImportFields)' }),
    column: t.string({ required: true, description: 'The column header in the file' }),
  }),
})

const CsvImportProblemType = builder.prismaObject('CsvImportProblem', {
  description: "A row the import cannot take, and why (the message never quotes the row's values)",
  fields: (t) => ({
    line: t.exposeInt('line', { description: 'The line of the file the row starts on (the header is line 1)' }),
    message: t.exposeString('message', { description: "Every problem of the row, e.g. 'phone must be an E.164 phone number'" }),
  }),
})

/** {field: column index} as stored → {field, column header} as shown. */
const mappingOf = (row: CsvImportRow) =>
  Object.entries(row.mapping as Record<string, number>).map(([field, index]) => ({ field, column: row.columns[index] ?? '' }))

const CsvImportType = builder.prismaObject('CsvImport', {
  description: 'A CSV file being imported as customers or leads',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The import' }),
    kind: t.expose('kind', { type: CsvImportKindType, description: 'What the rows are' }),
    fileName: t.exposeString('fileName', { description: 'The name the file was uploaded with' }),
    status: t.expose('status', { type: CsvImportStatusType, description: 'Where the import stands' }),
    columns: t.exposeStringList('columns', { description: "The file's header, once the upload is complete" }),
    mapping: t.field({ type: [CsvColumnMapping], description: 'The columns chosen for each field', resolve: mappingOf }),
    suggestedMapping: t.field({
      type: [CsvColumnMapping],
      description: 'Columns whose header names a field (e.g. "Phone" → phone), as a starting point for the mapping',
      resolve: (row) => suggestMapping(row.kind, row.columns),
    }),
    sizeBytes: t.exposeInt('sizeBytes', { description: 'Bytes received so far' }),
    chunkCount: t.exposeInt('chunkCount', { description: 'Chunks received so far: the next chunk is number chunkCount' }),
    totalRows: t.exposeInt('totalRows', { description: 'Data rows in the file (the header not counted)' }),
    processedRows: t.exposeInt('processedRows', { description: 'Rows the dry run or the import has finished: the progress' }),
    problemRows: t.exposeInt('problemRows', { description: 'Rows with a problem' }),
    createdRows: t.exposeInt('createdRows', { description: 'Records created (during the dry run: that would be created)' }),
    updatedRows: t.exposeInt('updatedRows', { description: 'Records updated (during the dry run: that would be updated)' }),
    problems: t.relation('problems', {
      description: 'The rows with a problem, by line',
      args: {
        first: t.arg.int({ defaultValue: 100, description: 'How many, at most 500' }),
        afterLine: t.arg.int({ description: 'Only problems after this line (paging)' }),
      },
      query: (args) => ({
        where: args.afterLine ? { line: { gt: args.afterLine } } : {},
        orderBy: { line: 'asc' },
        take: Math.min(Math.max(args.first ?? 100, 1), 500),
      }),
      type: CsvImportProblemType,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the upload started' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When the import finished' }),
  }),
})

const normalised = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '')

function suggestMapping(kind: CsvImportKind, columns: string[]) {
  return IMPORT_KINDS[kind].fields.flatMap((f) => {
    const column = columns.find((c) => normalised(c) === normalised(f.name))
    return column === undefined ? [] : [{ field: f.name, column }]
  })
}

function requireScope(ctx: Context, kind: CsvImportKind, access: 'read' | 'write') {
  const scope = access === 'read' ? IMPORT_KINDS[kind].readScope : IMPORT_KINDS[kind].writeScope
  if (!hasScope(ctx.principal, scope)) throw new AppError('FORBIDDEN', `Insufficient scope: ${scope} required`)
}

/** The kinds whose imports the caller may read: those whose records it may read. */
const readableKinds = (ctx: Context) => Object.values(CsvImportKind).filter((kind) => hasScope(ctx.principal, IMPORT_KINDS[kind].readScope))

/** The caller's import, for a write in one of `states`. */
async function ownImport(ctx: Context, id: string | number, states: CsvImportStatus[]) {
  const row = await db.csvImport.findFirst({ where: { id: String(id), accountId: accountOf(ctx) } })
  if (!row) throw notFound('CSV import not found')
  requireScope(ctx, row.kind, 'write')
  if (!states.includes(row.status)) throw conflict(`The import is ${row.status}; this needs it ${states.join(' or ')}`)
  return row
}

builder.queryFields((t) => ({
  csvImportFields: t.field({
    type: [CsvImportField],
    description: 'The fields a CSV import of this kind can fill',
    authScopes: { account: true },
    args: { kind: t.arg({ type: CsvImportKindType, required: true, description: 'What the rows are' }) },
    resolve: (_root, { kind }) => IMPORT_KINDS[kind].fields,
  }),
  csvImport: t.prismaField({
    type: CsvImportType,
    nullable: true,
    description: 'One CSV import, with its progress; needs the read scope of its records (read:hub for customers, leads:read for leads)',
    authScopes: { account: true },
    args: { id: t.arg.id({ required: true, description: 'The import' }) },
    resolve: async (query, _root, { id }, ctx) => {
      const row = await db.csvImport.findFirst({ ...query, where: { id: String(id), accountId: accountOf(ctx) } })
      if (row) requireScope(ctx, row.kind, 'read')
      return row
    },
  }),
  csvImports: t.prismaField({
    type: [CsvImportType],
    description:
      'The 20 latest CSV imports whose records the caller may read (read:hub for customers, leads:read for leads), newest first: an import left running is found here again',
    authScopes: { account: true },
    resolve: (query, _root, _args, ctx) =>
      db.csvImport.findMany({
        ...query,
        where: { accountId: accountOf(ctx), kind: { in: readableKinds(ctx) } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 20,
      }),
  }),
}))

/**
 * Moves an import to its next state in one transaction with what that state starts without: the
 * previous run's problems (a new dry run or import reports its own), or the uploaded file (cancelled).
 */
function moveImport(
  query: { include?: Prisma.CsvImportInclude; select?: Prisma.CsvImportSelect },
  importId: string,
  clear: 'problems' | 'chunks',
  data: Prisma.CsvImportUpdateInput,
) {
  return db.$transaction(async (tx) => {
    if (clear === 'problems') await tx.csvImportProblem.deleteMany({ where: { importId } })
    else await tx.csvImportChunk.deleteMany({ where: { importId } })
    return tx.csvImport.update({ ...query, where: { id: importId }, data })
  })
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** The counts and claim of a job not yet started: a dry run or an import begins from here. */
const NOT_STARTED = {
  processedRows: 0,
  problemRows: 0,
  createdRows: 0,
  updatedRows: 0,
  leaseToken: null,
  leaseExpiresAt: null,
} as const

builder.mutationFields((t) => ({
  startCsvImport: t.prismaField({
    type: CsvImportType,
    description: 'Starts the upload of a CSV file of customers or leads; send its bytes with appendCsvImportChunk',
    authScopes: { account: true },
    args: {
      kind: t.arg({ type: CsvImportKindType, required: true, description: 'What the rows are' }),
      fileName: t.arg.string({ required: true, description: 'The file name, for the owner to recognise it (at most 200 characters)' }),
    },
    resolve: (query, _root, { kind, fileName }, ctx) => {
      requireScope(ctx, kind, 'write')
      if (fileName.length > 200) throw badRequest('fileName must be at most 200 characters')
      return db.csvImport.create({ ...query, data: { accountId: accountOf(ctx), kind, fileName: fileName.replace(/\0/g, '') } })
    },
  }),
  appendCsvImportChunk: t.prismaField({
    type: CsvImportType,
    description: `Adds the next part of the file, base64, at most ${MAX_CHUNK_BYTES} bytes decoded; a chunk already received is acknowledged again unchanged`,
    authScopes: { account: true },
    args: {
      id: t.arg.id({ required: true, description: 'The import' }),
      seq: t.arg.int({ required: true, description: 'The chunk number, from 0: chunks must arrive in order' }),
      base64: t.arg.string({ required: true, description: 'The bytes of the chunk, base64-encoded' }),
    },
    resolve: async (query, _root, { id, seq, base64 }, ctx) => {
      const row = await ownImport(ctx, id, ['uploading'])
      if (!BASE64.test(base64) || base64.length % 4 !== 0) throw badRequest('base64 must be base64-encoded bytes')
      const bytes = Buffer.from(base64, 'base64')
      if (bytes.length === 0) throw badRequest('base64 must not be empty')
      if (bytes.length > MAX_CHUNK_BYTES) throw badRequest(`A chunk must be at most ${MAX_CHUNK_BYTES} bytes`)
      if (seq < row.chunkCount) return db.csvImport.findUniqueOrThrow({ ...query, where: { id: row.id } }) // a retried chunk
      if (seq > row.chunkCount) throw conflict(`Chunk ${row.chunkCount} comes next, not ${seq}`)
      if (row.sizeBytes + bytes.length > MAX_FILE_BYTES)
        throw new AppError('PAYLOAD_TOO_LARGE', `A CSV file must be at most ${MAX_FILE_BYTES} bytes`)
      return db.$transaction(async (tx) => {
        // Taking the next number only where it is still free makes two racing sends of one chunk count once.
        const taken = await tx.csvImport.updateMany({
          where: { id: row.id, chunkCount: seq, status: 'uploading' },
          data: { chunkCount: { increment: 1 }, sizeBytes: { increment: bytes.length } },
        })
        if (taken.count === 1) await tx.csvImportChunk.create({ data: { importId: row.id, accountId: row.accountId, seq, bytes } })
        return tx.csvImport.findUniqueOrThrow({ ...query, where: { id: row.id } })
      })
    },
  }),
  completeCsvUpload: t.prismaField({
    type: CsvImportType,
    description: 'Ends the upload: the file must be UTF-8, well-formed CSV with a header row; its columns and row count are read',
    authScopes: { account: true },
    args: { id: t.arg.id({ required: true, description: 'The import' }) },
    resolve: async (query, _root, { id }, ctx) => {
      const row = await ownImport(ctx, id, ['uploading'])
      if (row.chunkCount === 0) throw badRequest('The file is empty')
      let columns: string[] | undefined
      let totalRows = 0
      for await (const record of readRecords(row.id)) {
        if (columns) totalRows++
        else columns = record.cells.map((c) => c.trim())
      }
      if (!columns?.some((c) => c !== '')) throw badRequest('The file has no header row')
      const duplicate = columns.find((c, i) => c !== '' && columns.indexOf(c) !== i)
      if (duplicate !== undefined) throw badRequest(`The header names the column "${duplicate}" twice`)
      if (totalRows === 0) throw badRequest('The file has a header but no rows')
      return db.csvImport.update({ ...query, where: { id: row.id }, data: { status: 'uploaded', columns, totalRows } })
    },
  }),
  checkCsvImport: t.prismaField({
    type: CsvImportType,
    description: 'Maps columns to fields and starts the dry run: every row is checked, nothing is written',
    authScopes: { account: true },
    args: {
      id: t.arg.id({ required: true, description: 'The import' }),
      mapping: t.arg({ type: [CsvColumnMappingInput], required: true, description: 'Which column fills which field' }),
    },
    resolve: async (query, _root, { id, mapping }, ctx) => {
      const row = await ownImport(ctx, id, ['uploaded', 'checked'])
      const fields = IMPORT_KINDS[row.kind].fields
      const stored: Record<string, number> = {}
      for (const { field, column } of mapping) {
        if (!fields.some((f) => f.name === field)) throw badRequest(`mapping: ${row.kind} have no field ${field}`)
        const index = row.columns.indexOf(column)
        if (index < 0) throw badRequest(`mapping: the file has no column "${column}"`)
        if (field in stored) throw badRequest(`mapping: ${field} is mapped twice`)
        stored[field] = index
      }
      for (const f of fields) if (f.required && !(f.name in stored)) throw badRequest(`mapping: a column must be mapped to ${f.name}`)
      return moveImport(query, row.id, 'problems', { status: 'checking', mapping: stored, ...NOT_STARTED })
    },
  }),
  runCsvImport: t.prismaField({
    type: CsvImportType,
    description: 'Upserts every row the dry run found no problem in, by external_id; rows with problems are skipped',
    authScopes: { account: true },
    args: { id: t.arg.id({ required: true, description: 'The import' }) },
    resolve: async (query, _root, { id }, ctx) => {
      const row = await ownImport(ctx, id, ['checked'])
      return moveImport(query, row.id, 'problems', { status: 'importing', ...NOT_STARTED })
    },
  }),
  cancelCsvImport: t.prismaField({
    type: CsvImportType,
    description: 'Stops an import that is not done: rows already imported stay; the uploaded file is deleted',
    authScopes: { account: true },
    args: { id: t.arg.id({ required: true, description: 'The import' }) },
    resolve: async (query, _root, { id }, ctx) => {
      const row = await ownImport(ctx, id, ['uploading', 'uploaded', 'checking', 'checked', 'importing'])
      return moveImport(query, row.id, 'chunks', { status: 'cancelled', leaseToken: null, leaseExpiresAt: null, finishedAt: new Date() })
    },
  }),
}))
