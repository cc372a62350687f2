/**
 * The `import` section's client side: a file of lead rows sent through the public upload mutations
 * (startCsvImport, appendCsvImportChunk, completeCsvUpload, checkCsvImport, runCsvImport) to a
 * server that runs the import job in its own process, as `npm start` does with one process, and
 * the import followed by polling `csvImport` until it is done.
 */

const CHUNK_BYTES = 512 * 1024
const POLL_MS = 100

/** `rows` leads with external ids `<prefix>0…`, every one new, each with a name, phone and email. */
export function leadFile(rows: number, prefix: string): Buffer {
  const lines = ['External ID,Name,Phone,Email,Source']
  for (let i = 0; i < rows; i++) {
    lines.push(`${prefix}${i},Imported Lead ${i},+1555${String(4_000_000 + i).padStart(7, '0')},import.${prefix}${i}@example.com,bench`)
  }
  return Buffer.from(lines.join('\n'))
}

const MAPPING = [
  { field: 'external_id', column: 'External ID' },
  { field: 'name', column: 'Name' },
  { field: 'phone', column: 'Phone' },
  { field: 'email', column: 'Email' },
  { field: 'source', column: 'Source' },
]

export class ImportClient {
  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  private async gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    })
    const json = (await response.json()) as { data?: T; errors?: unknown[] }
    if (json.errors || !json.data) throw new Error(`import bench: ${JSON.stringify(json.errors)}`)
    return json.data
  }

  /** Uploads the file and runs the dry run to its end: the import is `checked`, ready to run. */
  async prepare(file: Buffer): Promise<string> {
    const started = await this.gql<{ startCsvImport: { id: string } }>(
      'mutation { startCsvImport(kind: leads, fileName: "bench.csv") { id } }',
      {},
    )
    const id = started.startCsvImport.id
    for (let seq = 0; seq * CHUNK_BYTES < file.length; seq++) {
      await this.gql(
        'mutation($id: ID!, $seq: Int!, $b: String!) { appendCsvImportChunk(id: $id, seq: $seq, base64: $b) { chunkCount } }',
        {
          id,
          seq,
          b: file.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES).toString('base64'),
        },
      )
    }
    await this.gql('mutation($id: ID!) { completeCsvUpload(id: $id) { totalRows } }', { id })
    await this.gql('mutation($id: ID!, $m: [CsvColumnMappingInput!]!) { checkCsvImport(id: $id, mapping: $m) { status } }', {
      id,
      m: MAPPING,
    })
    await this.until(id, 'checked')
    return id
  }

  /** Starts the import of a checked file; resolves when it is done, with its figures. */
  async run(id: string): Promise<{ seconds: number; createdRows: number; problemRows: number }> {
    const started = performance.now()
    await this.gql('mutation($id: ID!) { runCsvImport(id: $id) { status } }', { id })
    const done = await this.until(id, 'done')
    return { seconds: (performance.now() - started) / 1000, createdRows: done.createdRows, problemRows: done.problemRows }
  }

  private async until(id: string, status: string) {
    for (;;) {
      const { csvImport } = await this.gql<{ csvImport: { status: string; createdRows: number; problemRows: number } }>(
        'query($id: ID!) { csvImport(id: $id) { status createdRows problemRows } }',
        { id },
      )
      if (csvImport.status === status) return csvImport
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }
}
