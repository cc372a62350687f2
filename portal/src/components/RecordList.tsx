'use client'
/**
 * A searchable, sortable, cursor-paged record list page (customers, projects, leads): the list's
 * state, its search and sort controls, sortable column headers, the switch to the records
 * deleted in the last 30 days with their Restore buttons, and the pager. A page declares its
 * query, its columns and any filter of its own; `RecordListPage` does the rest.
 */
import Link from 'next/link'
import { type ReactNode, useId, useState } from 'react'
import type { TypedDocumentString } from '../gql/graphql'
import { useDebounced } from '../lib/debounce'
import { type GraphQLRequestError, useQuery, type Variables } from '../lib/graphql'
import { AccountShell, allows, useAccount, useAccountMutation, useSessionGuard } from './AccountShell'
import { Empty, Loading, Notice } from './ui'
import './records.css'

type ListSort = 'created_at' | 'updated_at'
type SortOrder = 'asc' | 'desc'
const PAGE_SIZE = 20

export interface ListState {
  search: string
  setSearch: (value: string) => void
  sort: ListSort
  order: SortOrder
  /** Sorts by `sort`; the same column again flips the order. */
  sortBy: (sort: ListSort) => void
  page: number
  next: (endCursor: string | null | undefined) => void
  previous: () => void
  /** Back to page 1 (call when a filter of the page changes). */
  restart: () => void
  /** The records deleted in the last 30 days instead of the live ones. */
  deleted: boolean
  showDeleted: (deleted: boolean) => void
  /** What the page's list query takes. */
  variables: { search: string | null; sort: ListSort; order: SortOrder; after: string | null; first: number; deleted: boolean }
}

/** A list's search (sent a moment after typing stops), sort and cursor, back to page 1 on any change. */
function useListState(): ListState {
  const [search, setSearchNow] = useState('')
  const sent = useDebounced(search.trim(), 250)
  const [sort, setSort] = useState<ListSort>('created_at')
  const [order, setOrder] = useState<SortOrder>('desc')
  const [deleted, setDeleted] = useState(false)
  // The cursors of the pages before this one: the pager goes back by popping.
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  // A new search starts on page 1, in the same render, so no page of it is asked with an old cursor.
  const [searched, setSearched] = useState(sent)
  if (searched !== sent) {
    setSearched(sent)
    setCursors([null])
  }
  return {
    search,
    setSearch: setSearchNow,
    sort,
    order,
    sortBy: (next) => {
      setOrder((current) => (next === sort ? (current === 'desc' ? 'asc' : 'desc') : 'desc'))
      setSort(next)
      setCursors([null])
    },
    page: cursors.length,
    next: (endCursor) => endCursor && setCursors((list) => [...list, endCursor]),
    previous: () => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)),
    restart: () => setCursors([null]),
    deleted,
    showDeleted: (next) => {
      setDeleted(next)
      setCursors([null])
    },
    variables: { search: sent || null, sort, order, after: cursors[cursors.length - 1], first: PAGE_SIZE, deleted },
  }
}

function SearchBox({ list, label, placeholder }: { list: ListState; label: string; placeholder?: string }) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={list.search} placeholder={placeholder} onChange={(e) => list.setSearch(e.target.value)} />
    </div>
  )
}

/** Switches the list between the live records and those deleted in the last 30 days. */
function DeletedSwitch({ list, noun }: { list: ListState; noun: string }) {
  return (
    <label className="choice">
      <input type="checkbox" checked={list.deleted} onChange={(e) => list.showDeleted(e.target.checked)} /> Deleted {noun} (last 30 days)
    </label>
  )
}

/** A record in its list: a link to its page, or plain text in the deleted view (a deleted record has no page). */
export function RecordLink({ list, href, children }: { list: ListState; href: string; children: ReactNode }) {
  return list.deleted ? children : <Link href={href}>{children}</Link>
}

/** The time columns every record list ends with: Created and Updated (sortable), and Deleted in the deleted view. */
function TimeHeaders({ list }: { list: ListState }) {
  return (
    <>
      <SortHeader list={list} sort="created_at">
        Created
      </SortHeader>
      <SortHeader list={list} sort="updated_at">
        Updated
      </SortHeader>
      {list.deleted && <th scope="col">Deleted</th>}
    </>
  )
}

interface TimeCellsProps<R> {
  list: ListState
  record: { id: string; name: string; createdAt: string; updatedAt: string; deletedAt?: string | null }
  /** The record's restore mutation, run by the deleted view's Restore (then `onRestored`). */
  restore: TypedDocumentString<R, { id: string }>
  /** What a role needs to restore it. */
  scope: string
  onRestored: () => Promise<void>
}

/** A row's time cells under TimeHeaders; in the deleted view, also when it was deleted and Restore. */
function TimeCells<R>(props: TimeCellsProps<R>) {
  const { time } = useAccount()
  return (
    <>
      <td>{time(props.record.createdAt)}</td>
      <td>{time(props.record.updatedAt)}</td>
      {props.list.deleted && <DeletedCell {...props} />}
    </>
  )
}

/** The deleted view's last cell: rendered only there, so live rows hold no restore mutation. */
function DeletedCell<R>({ record, restore, scope, onRestored }: TimeCellsProps<R>) {
  const { me, time } = useAccount()
  const mutation = useAccountMutation(restore, { onSuccess: onRestored })
  return (
    <td>
      {record.deletedAt ? time(record.deletedAt) : '—'}{' '}
      {allows(me, scope) && record.deletedAt && (
        <button type="button" className="button small" disabled={mutation.running} onClick={() => void mutation.run({ id: record.id })}>
          Restore<span className="visually-hidden"> {record.name}</span>
        </button>
      )}
      {mutation.error && (
        <span className="field-error" role="alert">
          {' '}
          {mutation.error.message}
        </span>
      )}
    </td>
  )
}

/** What an empty list says: nothing yet, nothing matching, or nothing deleted. */
function emptyText(list: ListState, noun: { one: string; many: string }, filtered = Boolean(list.variables.search)): string {
  if (list.deleted) return filtered ? `No deleted ${noun.one} matches.` : `No ${noun.one} was deleted in the last 30 days.`
  return filtered ? `No ${noun.one} matches the search.` : `No ${noun.many} yet.`
}

/** A column header that sorts the list (a button, so it is reachable by keyboard). */
function SortHeader({ list, sort, children }: { list: ListState; sort: ListSort; children: ReactNode }) {
  const active = list.sort === sort
  const ascending = list.order === 'asc'
  return (
    <th scope="col" aria-sort={active ? (ascending ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => list.sortBy(sort)}>
        {children}
        <span aria-hidden="true">{active ? (ascending ? ' ▲' : ' ▼') : ' ↕'}</span>
        <span className="visually-hidden">{active ? `, sorted ${ascending ? 'oldest' : 'newest'} first` : ', sort'}</span>
      </button>
    </th>
  )
}

function Pager({
  list,
  pageInfo,
  total,
}: {
  list: ListState
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined
  total: number | undefined
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button small" onClick={list.previous} disabled={list.page === 1}>
        Previous page
      </button>
      <span data-testid="page-number">
        Page {list.page}
        {total !== undefined && ` of ${Math.max(1, Math.ceil(total / PAGE_SIZE))} (${total} in all)`}
      </span>
      <button type="button" className="button small" onClick={() => list.next(pageInfo?.endCursor)} disabled={!pageInfo?.hasNextPage}>
        Next page
      </button>
    </nav>
  )
}

interface Connection<E> {
  edges: E[]
  pageInfo: { hasNextPage: boolean; endCursor?: string | null }
  totalCount: number
}

/**
 * A record list under its toolbar: the load's error with Try again, Loading, the empty message,
 * or the table (`children`, given the rows) with the pager under it.
 */
function RecordRows<E>({
  list,
  query,
  noun,
  connection,
  empty,
  children,
}: {
  list: ListState
  query: { error?: GraphQLRequestError; reload: () => Promise<void> }
  /** The records' plural name, for the error message. */
  noun: string
  connection: Connection<E> | undefined
  empty: string
  children: (edges: E[]) => ReactNode
}) {
  return (
    <>
      <Notice>
        {query.error && (
          <>
            Could not load {noun}: {query.error.message}{' '}
            <button type="button" className="link-button" onClick={() => void query.reload()}>
              Try again
            </button>
          </>
        )}
      </Notice>
      {!connection ? !query.error && <Loading /> : connection.edges.length === 0 ? <Empty>{empty}</Empty> : children(connection.edges)}
      {connection && <Pager list={list} pageInfo={connection.pageInfo} total={connection.totalCount} />}
    </>
  )
}

/** A column of a record table after the name: its header and a row's cell ('—' when the cell is empty). */
export interface Column<N> {
  header: string
  /** `num` right-aligns a number. */
  className?: 'num'
  /** Given the list, so a cell can link another record only where the list links its own. */
  cell: (node: N, list: ListState) => ReactNode
}

/** What every listed record has: the name that links to its page and the time columns. */
interface ListedRecord {
  id: string
  name?: string | null
  createdAt: string
  updatedAt: string
  deletedAt?: string | null
}

interface RecordListProps<Q, N extends ListedRecord, F, R> {
  /** The record's name, one and many: `customer` lists at `/customers` and links `/customers/view?id=…`. */
  noun: { one: string; many: string }
  /** The list query: it takes the list's variables and the page's `filters`. */
  document: TypedDocumentString<Q, ListState['variables'] & F>
  connection: (data: Q) => Connection<{ node: N }> | undefined
  search: { label: string; placeholder: string }
  /** The name column's header (`Name` unless given). */
  nameHeader?: string
  columns: Column<N>[]
  /** The record's restore mutation and what a role needs to run it. */
  restore: TypedDocumentString<R, { id: string }>
  scope: string
  /** The page's own filters: sent with the query, shown in the toolbar before the deleted switch. */
  filters?: { variables: F; active: boolean; controls: (list: ListState) => ReactNode }
}

/** A record list page: the account shell around the list. */
export function RecordListPage<Q, N extends ListedRecord, F, R>(props: RecordListProps<Q, N, F, R>) {
  const { many } = props.noun
  return (
    <AccountShell title={many[0].toUpperCase() + many.slice(1)}>
      <RecordList {...props} />
    </AccountShell>
  )
}

function RecordList<Q, N extends ListedRecord, F, R>(props: RecordListProps<Q, N, F, R>) {
  const { noun, filters } = props
  const list = useListState()
  // The list's variables are never empty, so they are always the one argument the query takes.
  const query = useQuery(props.document, ...([{ ...list.variables, ...filters?.variables }] as Variables<ListState['variables'] & F>))
  useSessionGuard(query.error)
  return (
    <section className="card" aria-busy={query.loading}>
      <div className="record-toolbar">
        <SearchBox list={list} label={props.search.label} placeholder={props.search.placeholder} />
        {filters?.controls(list)}
        <DeletedSwitch list={list} noun={noun.many} />
      </div>
      <RecordRows
        list={list}
        query={query}
        noun={noun.many}
        connection={query.data && props.connection(query.data)}
        empty={emptyText(list, noun, Boolean(list.variables.search) || Boolean(filters?.active))}
      >
        {(edges) => <RecordTable {...props} list={list} nodes={edges.map(({ node }) => node)} onRestored={query.reload} />}
      </RecordRows>
    </section>
  )
}

function RecordTable<Q, N extends ListedRecord, F, R>({
  noun,
  nameHeader = 'Name',
  columns,
  restore,
  scope,
  list,
  nodes,
  onRestored,
}: RecordListProps<Q, N, F, R> & { list: ListState; nodes: N[]; onRestored: () => Promise<void> }) {
  return (
    <div className="table-wrap">
      <table className="table record-table" data-testid="records-table">
        <thead>
          <tr>
            <th scope="col">{nameHeader}</th>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.className}>
                {column.header}
              </th>
            ))}
            <TimeHeaders list={list} />
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => {
            const name = node.name || `Unnamed ${noun.one}`
            return (
              <tr key={node.id} data-testid="record-row">
                <th scope="row">
                  <RecordLink list={list} href={`/${noun.many}/view?id=${node.id}`}>
                    {name}
                  </RecordLink>
                </th>
                {columns.map((column) => (
                  <td key={column.header} className={column.className}>
                    {column.cell(node, list) ?? '—'}
                  </td>
                ))}
                <TimeCells list={list} record={{ ...node, name }} restore={restore} scope={scope} onRestored={onRestored} />
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
