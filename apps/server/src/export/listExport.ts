import type { Hocuspocus } from '@hocuspocus/server'
import { accessTo, type DocRef } from '@rapport/model'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { CSV_BOM, csvLines } from '../csv.ts'
import { listSortOptions } from '../http/routes/listSort.ts'
import { LIST_KINDS, type ListKind, listQuerySchemas } from '../http/routes/recordQueries.ts'
import type { ProjectedRecord } from '../projection/recordKinds.ts'
import { customFieldConditions, type IndexListQuery, type RecordIndex } from '../recordIndex/RecordIndex.ts'
import { TaskListQuery } from '../tasks/taskQueries.ts'
import type { CsvLayout, ExportKind } from './csvRows.ts'

/** Rows read from the index per page while streaming (memory stays one page whatever the list's length). */
export const EXPORT_PAGE = 1_000

export interface ListExportDeps {
  index: RecordIndex
  hocuspocus: Hocuspocus
  memberNames?: (session: SessionInfo) => Readonly<Record<string, string>>
}

/** The document kind a kind's records live in (access depends on the kind only). */
export function kindRef(session: SessionInfo, kind: ExportKind): DocRef {
  const workspaceId = session.workspaceId
  if (kind === 'contacts') return { workspaceId, kind: 'contact', contactId: 'contact' }
  if (kind === 'deals') return { workspaceId, kind: 'deal', dealId: 'deal' }
  if (kind === 'tickets') return { workspaceId, kind: 'ticket', ticketId: 'ticket' }
  return { workspaceId, kind: 'account', accountId: 'account' }
}

/**
 * The list query `GET /api/<kind>` would answer for `query` (its filters, `q`, `sort`, `cf.` filters, `archived`),
 * without its paging: `limit`, `cursor` and `offset` are ignored. Tasks take `GET /api/tasks`'s query (`assignee`,
 * `status`, `accountId`, `dealId`, `contactId`, `ticketId`, `dueBefore`, `doneSince`, `archived`), ordered by due time.
 */
export async function exportQuery(
  deps: ListExportDeps,
  session: SessionInfo,
  kind: ExportKind,
  query: Record<string, string>,
): Promise<{ list: Omit<IndexListQuery, 'offset' | 'limit'>; keep: (r: ProjectedRecord) => boolean }> {
  if (kind === 'tasks') {
    const t = TaskListQuery.parse(query)
    const assigneeId = t.assignee === 'me' ? session.userId : t.assignee === 'none' ? null : t.assignee
    const done = t.status === 'open' ? false : t.status === 'done' ? true : undefined
    return {
      list: {
        filters: {
          assigneeId,
          done,
          accountId: t.accountId,
          dealId: t.dealId,
          contactId: t.contactId,
          ticketId: t.ticketId,
        },
        sort: 'dueAt',
        archived: t.archived,
      },
      keep: (r) => {
        const due = typeof r.dueAt === 'number' ? r.dueAt : null
        if (t.dueBefore !== undefined && (due === null || due >= t.dueBefore)) return false
        if (t.doneSince !== undefined && r.done === true && Number(r.updatedAt) < t.doneSince) return false
        return true
      },
    }
  }
  const listKind = kind as ListKind
  const {
    q,
    sort,
    limit: _l,
    cursor: _c,
    offset: _o,
    archived,
    ...filters
  } = listQuerySchemas[listKind].parse(query)
  const customFields = customFieldConditions(query)
  const sortOptions = await listSortOptions(deps.hocuspocus, session.workspaceId, listKind, sort, () =>
    deps.memberNames?.(session),
  )
  return {
    list: { filters, customFields, q: q ?? null, sort: sort ?? null, ...sortOptions, archived },
    keep: () => true,
  }
}

/** Every record of the list, page by page, in list order. */
export async function* listRecords(
  index: RecordIndex,
  workspaceId: string,
  kind: ExportKind,
  query: Omit<IndexListQuery, 'offset' | 'limit'>,
  keep: (r: ProjectedRecord) => boolean = () => true,
): AsyncGenerator<ProjectedRecord[]> {
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await index.list(workspaceId, kind, { ...query, offset, limit: EXPORT_PAGE })
    yield page.items.filter(keep)
    offset = page.nextOffset
  }
}

/** The CSV text of a list, chunk by chunk (header first; contacts name their account). */
export async function* csvChunks(
  index: RecordIndex,
  session: SessionInfo,
  kind: ExportKind,
  layout: CsvLayout,
  pages: AsyncGenerator<ProjectedRecord[]>,
): AsyncGenerator<string> {
  yield CSV_BOM + csvLines([layout.header])
  const readsAccounts = accessTo(session, kindRef(session, 'accounts')) !== 'none'
  for await (const page of pages) {
    const names = new Map<string, string>()
    if (kind === 'contacts' && readsAccounts) {
      const ids = [
        ...new Set(page.map((r) => r.accountId).filter((id): id is string => typeof id === 'string')),
      ]
      for (const { id, record } of await index.getMany(session.workspaceId, 'accounts', ids))
        if (typeof record.name === 'string') names.set(id, record.name)
    }
    const text = csvLines(
      page.map((record) => {
        const accountName =
          typeof record.accountId === 'string' ? (names.get(record.accountId) ?? null) : null
        return layout.row(record, { accountName })
      }),
    )
    if (text) yield text
  }
}

/** A streamed body pulling from `chunks` only as fast as the client reads (bounded memory). */
export function streamOf(chunks: AsyncGenerator<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next()
        if (next.done) controller.close()
        else controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value)
      } catch (error) {
        controller.error(error)
      }
    },
    async cancel() {
      await chunks.return(undefined)
    },
  })
}

export const isListKind = (kind: string): kind is ListKind => (LIST_KINDS as readonly string[]).includes(kind)
