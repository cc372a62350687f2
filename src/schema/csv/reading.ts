/**
 * Reading an uploaded CSV file back from its stored chunks, one chunk (at most 512 KiB) in memory
 * at a time: bytes are decoded as UTF-8 (BOM dropped, malformed bytes refused), parsed by
 * csv-parse, and handed out as records with the line each starts on. Every chunk is a database
 * read, so parsing a large file yields to other requests between chunks.
 */
import { CsvError, parse } from 'csv-parse'
import { db } from '../../db/client.js'
import { badRequest } from '../../errors.js'

export interface CsvRecord {
  /** The line of the file the record starts on (1 is the header). */
  line: number
  cells: string[]
}

/** The largest chunk an upload may send, decoded. */
export const MAX_CHUNK_BYTES = 512 * 1024
/** The largest file an import takes. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024

async function* storedBytes(importId: string): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const chunk = await db.csvImportChunk.findUnique({ where: { importId_seq: { importId, seq } }, select: { bytes: true } })
    if (!chunk) return
    yield chunk.bytes
  }
}

async function* decodedText(importId: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
  let offset = 0
  try {
    for await (const bytes of storedBytes(importId)) {
      yield decoder.decode(bytes, { stream: true })
      offset += bytes.length
    }
    yield decoder.decode()
  } catch (error) {
    if (error instanceof TypeError)
      throw badRequest(`The file is not UTF-8 text (malformed bytes near byte ${offset}); save it as CSV UTF-8`)
    throw error
  }
}

/** The file's records in order, header first; malformed CSV is a 400 naming the line. */
export async function* readRecords(importId: string): AsyncGenerator<CsvRecord> {
  // Lines are counted here: csv-parse's own count takes a CRLF inside a quoted cell for two lines.
  const parser = parse({ relax_column_count: true, bom: true, max_record_size: 1_000_000 })
  const pending: CsvRecord[] = []
  let line = 1
  parser.on('readable', () => {
    for (let record = parser.read() as string[] | null; record !== null; record = parser.read()) {
      const start = line
      line += 1 + record.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0)
      if (record.length === 1 && record[0] === '') continue // an empty line
      pending.push({ line: start, cells: record })
    }
  })
  const failure: { error?: unknown } = {}
  parser.on('error', (error) => {
    failure.error = error
  })
  const check = () => {
    if (failure.error instanceof CsvError) throw badRequest(`The file is not valid CSV: ${failure.error.message}`)
    if (failure.error) throw failure.error
  }
  for await (const text of decodedText(importId)) {
    parser.write(text)
    check()
    yield* pending.splice(0)
  }
  await new Promise<void>((resolve) => parser.end(resolve))
  check()
  yield* pending.splice(0)
}
