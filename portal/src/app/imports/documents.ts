/** The GraphQL operations of the import and export page. */
import { graphql } from '../../gql'

export const ImportFieldsDocument = graphql(`
  fragment CsvImportState on CsvImport {
    id
    kind
    fileName
    status
    columns
    suggestedMapping { field column }
    mapping { field column }
    totalRows
    processedRows
    problemRows
    createdRows
    updatedRows
    createdAt
    finishedAt
    problems(first: 500) { line message }
  }
`)

export const CsvImportFieldsDocument = graphql(`
  query CsvImportFields($kind: CsvImportKind!) {
    csvImportFields(kind: $kind) { name description required }
  }
`)

export const CsvImportsDocument = graphql(`
  query CsvImports {
    csvImports { ...CsvImportState }
  }
`)

export const CsvImportDocument = graphql(`
  query CsvImport($id: ID!) {
    csvImport(id: $id) { ...CsvImportState }
  }
`)

export const StartCsvImportDocument = graphql(`
  mutation StartCsvImport($kind: CsvImportKind!, $fileName: String!) {
    startCsvImport(kind: $kind, fileName: $fileName) { id }
  }
`)

export const AppendCsvImportChunkDocument = graphql(`
  mutation AppendCsvImportChunk($id: ID!, $seq: Int!, $base64: String!) {
    appendCsvImportChunk(id: $id, seq: $seq, base64: $base64) { chunkCount }
  }
`)

export const CompleteCsvUploadDocument = graphql(`
  mutation CompleteCsvUpload($id: ID!) {
    completeCsvUpload(id: $id) { ...CsvImportState }
  }
`)

export const CheckCsvImportDocument = graphql(`
  mutation CheckCsvImport($id: ID!, $mapping: [CsvColumnMappingInput!]!) {
    checkCsvImport(id: $id, mapping: $mapping) { ...CsvImportState }
  }
`)

export const RunCsvImportDocument = graphql(`
  mutation RunCsvImport($id: ID!) {
    runCsvImport(id: $id) { ...CsvImportState }
  }
`)

export const CancelCsvImportDocument = graphql(`
  mutation CancelCsvImport($id: ID!) {
    cancelCsvImport(id: $id) { ...CsvImportState }
  }
`)

export const LeadsCsvDocument = graphql(`
  query LeadsCsv($stage: LeadStage, $search: String) {
    leadsCsv(stage: $stage, search: $search) { fileName csv rowCount truncated }
  }
`)

export const CustomersCsvDocument = graphql(`
  query CustomersCsv($search: String) {
    customersCsv(search: $search) { fileName csv rowCount truncated }
  }
`)
