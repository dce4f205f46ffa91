import type { ReportGroup, ReportGroupQuery } from '../recordIndex/RecordIndex.ts'
import type { DealFact, ReportContext } from './facts.ts'
import { moneyOf, PRIORITIES, textKey } from './figures.ts'
import { dayInPeriod, inPeriod, monthOf, ownerSet, weekOf } from './filters.ts'
import {
  customersRevenue as customersRevenueFigure,
  dealGroupsOf,
  dealStatus,
  type GroupReads,
  numOr,
  numOrNull,
  rowKeyOf,
  type SqlFigure,
  serviceByAccount as serviceByAccountFigure,
  str,
  strOrNull,
  whereOf,
} from './sqlFigures.ts'

/*
 * The drill-down of a report row (issue #13, `GET /api/reports/:id/rows/:rowKey/records`) by the row's key: one
 * index query (`reportGroups`) with the figure's filters, narrowed by what the key names (a stage, a priority, a
 * source, an owner …) where a column holds it, reading only each record's id and the values the figure decides its
 * row by; the row's ids are those whose row key — computed here exactly as sqlFigures.ts / figures.ts compute it — is
 * the asked one. The caller pages them and reads only that page's records. The property test
 * (reports.property.test.ts) checks the ids against the members the pure figure puts behind the row.
 */

/**
 * The ids behind the row (code-point order, each once), or null when the report has no such row with these filters
 * (a row that exists without records — an ensured priority, a funnel stage — gives []).
 */
export type SqlDrill = (reads: GroupReads, ctx: ReportContext, rowKey: string) => Promise<string[] | null>

/** A row's key from the currency its money is kept in (sqlFigures.ts passes the shown one). */
const keyOf = (ctx: ReportContext, group: string, currency: string): string =>
  rowKeyOf(ctx, group, moneyOf(ctx, 0, currency).currency)

/** The groups a row key may name: the key itself, or the part before a currency suffix. */
const groupsOfKey = (rowKey: string): string[] => {
  const i = rowKey.lastIndexOf('~')
  return i > 0 ? [rowKey, rowKey.slice(0, i)] : [rowKey]
}

/** A key that is the text itself (textKey of a URL-plain text): not '-' and not possibly a hash. */
const plainTexts = (rowKey: string): string[] | null => {
  const texts = groupsOfKey(rowKey).filter((k) => k !== '-' && !/^h[0-9a-f]{12}$/.test(k))
  return texts.length === groupsOfKey(rowKey).length ? texts : null
}

const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort()

/** Adds an equality on `field` (one of `values`) to a `where`. */
const narrowed = (
  where: NonNullable<ReportGroupQuery['where']>,
  field: string,
  values: readonly string[] | null,
): NonNullable<ReportGroupQuery['where']> =>
  values === null ? where : { ...where, equals: [...(where.equals ?? []), { field, value: values }] }

/** Per record of `groups` (values start with the id): the ids whose key (null = not in any row) is `rowKey`. */
function idsWhere(
  groups: readonly ReportGroup[],
  rowKey: string,
  key: (g: ReportGroup, values: unknown[]) => string | null,
): string[] {
  const ids: string[] = []
  for (const g of groups)
    for (const values of g.values ?? []) if (key(g, values) === rowKey) ids.push(String(values[0]))
  return sorted(ids)
}

export const salesPipeline: SqlDrill = async (reads, ctx, rowKey) => {
  const multi = ctx.filters.pipelineId === null && ctx.pipelines.length > 1
  const stages = multi
    ? groupsOfKey(rowKey).flatMap((k) =>
        ctx.pipelines.filter((p) => k.startsWith(`${p.id}:`)).map((p) => k.slice(p.id.length + 1)),
      )
    : groupsOfKey(rowKey)
  if (stages.length === 0) return null
  const groups = await reads.groups('deals', {
    groupBy: ['pipelineId', 'stage', 'currency'],
    where: narrowed(
      whereOf(ctx, 'ownerId', { pipeline: true, status: 'open', created: true }),
      'stage',
      stages,
    ),
    values: ['id'],
  })
  const ids = idsWhere(groups, rowKey, (g) => {
    const group = multi ? `${str(g.keys[0])}:${str(g.keys[1])}` : str(g.keys[1])
    return keyOf(ctx, group, str(g.keys[2]) || 'USD')
  })
  return ids.length > 0 ? ids : null
}

export const salesForecast: SqlDrill = async (reads, ctx, rowKey) => {
  const groups = await dealGroupsOf(reads, ctx, ['open', 'won'], {
    groupBy: ['currency', 'expectedCloseDate'],
    values: ['id'],
  })
  const ids = idsWhere(groups, rowKey, (g) => {
    const close = strOrNull(g.keys[1])
    if (!dayInPeriod(ctx.filters, close)) return null
    return keyOf(ctx, String(close).slice(0, 7), str(g.keys[0]) || 'USD')
  })
  return ids.length > 0 ? ids : null
}

/** Closed deals (won, lost or both) in the period by their close time, keyed by `group`. */
const closedDeals =
  (
    statuses: ReadonlyArray<DealFact['status']>,
    field: 'currency' | 'lostReason' | 'accountId',
    group: (value: unknown, at: number) => string,
  ): SqlDrill =>
  async (reads, ctx, rowKey) => {
    const groupBy = field === 'currency' ? ['currency'] : [field, 'currency']
    const groups = await dealGroupsOf(reads, ctx, statuses, { groupBy, values: ['id', 'stageEnteredAt'] })
    const ids = idsWhere(groups, rowKey, (g, [, entered]) => {
      const at = numOr(entered, 0)
      if (!inPeriod(ctx.filters, at)) return null
      return keyOf(ctx, group(g.keys[0], at), str(g.keys[groupBy.length - 1]) || 'USD')
    })
    return ids.length > 0 ? ids : null
  }

export const salesWinRate = closedDeals(['won', 'lost'], 'currency', (_, at) => monthOf(at))
export const salesLostReasons = closedDeals(['lost'], 'lostReason', (value) => {
  const reason = strOrNull(value)?.trim() || ''
  return reason === '' ? '-' : textKey(reason)
})

export const salesFunnel: SqlDrill = async (reads, ctx, rowKey) => {
  const pipeline =
    ctx.pipelines.find((p) => p.id === ctx.filters.pipelineId) ??
    ctx.pipelines.find((p) => !p.archived) ??
    ctx.pipelines[0]
  if (!pipeline) return null
  const stages = pipeline.stages.filter((s) => s.outcome !== 'lost')
  const reached = stages.findIndex((s) => s.id === rowKey)
  if (reached < 0) return null
  return reads.funnelDeals({
    pipelineId: pipeline.id,
    stageIds: stages.map((s) => s.id),
    now: ctx.now,
    where: whereOf(ctx, 'ownerId', { created: true }),
    reached,
  })
}

export const salesLeaderboard: SqlDrill = async (reads, ctx, rowKey) => {
  const where = whereOf(ctx, 'ownerId', { pipeline: true })
  // An owner's row: narrowed to that owner (within the owner filter), unless it is the row of deals without one.
  const candidates = groupsOfKey(rowKey).filter((k) => k !== '-')
  const owners = where.owners ? candidates.filter((id) => where.owners?.ids.includes(id)) : candidates
  const narrow = groupsOfKey(rowKey).includes('-')
    ? where
    : { ...where, owners: { field: 'ownerId' as const, ids: owners } }
  const groups = await reads.groups('deals', {
    groupBy: ['ownerId', 'status', 'currency'],
    where: narrow,
    values: ['id', 'stageEnteredAt'],
  })
  const ids = idsWhere(groups, rowKey, (g, [, entered]) => {
    const status = dealStatus(g.keys[1])
    if (status !== 'open' && !inPeriod(ctx.filters, numOr(entered, 0))) return null
    return keyOf(ctx, strOrNull(g.keys[0]) ?? '-', str(g.keys[2]) || 'USD')
  })
  if (ids.length > 0) return ids
  // An owner with logged activities in the period and no deals has a row of its own (no records behind it).
  const filter = ownerSet(ctx.filters, ctx.members)
  const active = (await reads.activities()).some(
    (a) => a.actorId === rowKey && inPeriod(ctx.filters, a.at) && (filter === null || filter.has(rowKey)),
  )
  if (!active) return null
  const hasDeals = await reads.groups('deals', {
    groupBy: [],
    where: { ...where, owners: { field: 'ownerId', ids: [rowKey] } },
    values: ['stageEnteredAt', 'status'],
  })
  const counted = hasDeals.some((g) =>
    (g.values ?? []).some(
      ([entered, status]) => dealStatus(status) === 'open' || inPeriod(ctx.filters, numOr(entered, 0)),
    ),
  )
  return counted ? null : []
}

export const leadsBySource: SqlDrill = async (reads, ctx, rowKey) => {
  const groups = await reads.groups('contacts', {
    groupBy: ['source'],
    where: narrowed(whereOf(ctx, 'ownerId', { created: true }), 'source', [rowKey]),
    values: ['id'],
  })
  const ids = idsWhere(groups, rowKey, (g) => str(g.keys[0]))
  return ids.length > 0 ? ids : null
}

export const leadsConversion: SqlDrill = async (reads, ctx, rowKey) => {
  if (!['leads', 'deal', 'won'].includes(rowKey)) return null
  const where = whereOf(ctx, 'ownerId', { created: true })
  const groups = await reads.groups('contacts', {
    groupBy: [],
    where:
      rowKey === 'leads'
        ? where
        : { ...where, onDeal: { pipelineId: ctx.filters.pipelineId, won: rowKey === 'won' } },
    values: ['id'],
  })
  return idsWhere(groups, rowKey, () => rowKey)
}

export const leadsRevenue: SqlDrill = async (reads, ctx, rowKey) => {
  const where = whereOf(ctx, 'ownerId', { pipeline: true, status: 'won' })
  const [groups, contacts] = await Promise.all([
    reads.groups('deals', { groupBy: ['currency'], where, values: ['id', 'contactIds', 'stageEnteredAt'] }),
    reads.groups('contacts', {
      groupBy: ['id', 'source'],
      where: { onDeal: { pipelineId: null, won: true } },
    }),
  ])
  const sources = new Map(contacts.map((c) => [String(c.keys[0]), str(c.keys[1])]))
  const ids = idsWhere(groups, rowKey, (g, [, contactIds, entered]) => {
    if (!inPeriod(ctx.filters, numOr(entered, 0))) return null
    const contact = (JSON.parse(String(contactIds)) as string[]).find((id) => sources.has(id))
    const source = contact === undefined ? 'none' : (sources.get(contact) as string)
    return keyOf(ctx, source, str(g.keys[0]) || 'USD')
  })
  return ids.length > 0 ? ids : null
}

export const serviceVolume: SqlDrill = async (reads, ctx, rowKey) => {
  const groups = await reads.groups('tickets', {
    groupBy: ['status'],
    where: whereOf(ctx, 'assigneeId', {}),
    values: ['id', 'createdAt', 'resolvedAt'],
  })
  const ids: string[] = []
  for (const g of groups)
    for (const [id, created, resolved] of g.values ?? []) {
      const createdAt = numOr(created, 0)
      if (inPeriod(ctx.filters, createdAt) && weekOf(createdAt) === rowKey) ids.push(String(id))
      const resolvedAt = numOrNull(resolved)
      if (g.keys[0] === 'resolved' && resolvedAt !== null && inPeriod(ctx.filters, resolvedAt))
        if (weekOf(resolvedAt) === rowKey) ids.push(String(id))
    }
  return ids.length > 0 ? sorted(ids) : null
}

/** Tickets created in the period (owner filter: the assignee), keyed by `key` of their priority, status and CSAT. */
const ticketsBy =
  (
    ensured: readonly string[],
    key: (priority: string, status: string, csat: number | null) => string | null,
    byPriority: boolean,
  ): SqlDrill =>
  async (reads, ctx, rowKey) => {
    const where = whereOf(ctx, 'assigneeId', { created: true })
    const groups = await reads.groups('tickets', {
      groupBy: ['priority', 'status', 'csat'],
      // A ticket without a priority reads as normal.
      where:
        byPriority && rowKey !== 'all'
          ? narrowed(where, 'priority', rowKey === 'normal' ? [rowKey, ''] : [rowKey])
          : where,
      values: ['id'],
    })
    const ids = idsWhere(groups, rowKey, (g) =>
      key(str(g.keys[0]) || 'normal', str(g.keys[1]) || 'new', numOrNull(g.keys[2])),
    )
    return ids.length > 0 || ensured.includes(rowKey) ? ids : null
  }

export const serviceTimes: SqlDrill = async (reads, ctx, rowKey) =>
  rowKey === 'all'
    ? ticketsBy(['all'], () => 'all', false)(reads, ctx, rowKey)
    : ticketsBy(PRIORITIES, (priority) => priority, true)(reads, ctx, rowKey)
export const serviceBacklog = ticketsBy(
  PRIORITIES,
  (priority, status) => (status === 'resolved' ? null : priority),
  true,
)
export const serviceCsat = ticketsBy(
  ['1', '2', '3', '4', '5'],
  (_p, _s, csat) => (csat === null ? null : String(csat)),
  false,
)

/** A per-account report shows its top rows only: a row exists when the figure shows it. */
const shown = async (reads: GroupReads, ctx: ReportContext, figure: SqlFigure, rowKey: string) => {
  const { rows } = await figure(reads, ctx, [])
  return rows.some((r) => r.key === rowKey)
}

export const serviceByAccount: SqlDrill = async (reads, ctx, rowKey) => {
  const where = whereOf(ctx, 'assigneeId', { created: true })
  const [groups, exists] = await Promise.all([
    reads.groups('tickets', { groupBy: ['accountId'], where, values: ['id'] }),
    shown(reads, ctx, serviceByAccountFigure, rowKey),
  ])
  return exists ? idsWhere(groups, rowKey, (g) => strOrNull(g.keys[0]) ?? '-') : null
}

export const customersRevenue: SqlDrill = async (reads, ctx, rowKey) => {
  const [ids, exists] = await Promise.all([
    closedDeals(['won'], 'accountId', (value) => strOrNull(value) ?? '-')(reads, ctx, rowKey),
    shown(reads, ctx, customersRevenueFigure, rowKey),
  ])
  return exists ? ids : null
}

export const accountsBy =
  (field: 'tier' | 'industry' | 'ownerId'): SqlDrill =>
  async (reads, ctx, rowKey) => {
    const where = whereOf(ctx, 'ownerId', { created: true })
    const texts = plainTexts(rowKey)
    const groups = await reads.groups('accounts', {
      groupBy: [field],
      where:
        field === 'ownerId'
          ? texts === null
            ? where
            : {
                ...where,
                owners: {
                  field: 'ownerId',
                  ids: texts.filter((t) => !where.owners || where.owners.ids.includes(t)),
                },
              }
          : narrowed(where, field, texts),
      values: ['id'],
    })
    const ids = idsWhere(groups, rowKey, (g) => {
      const value = field === 'ownerId' ? strOrNull(g.keys[0]) : str(g.keys[0])
      return value === null || value === '' ? '-' : textKey(value)
    })
    return ids.length > 0 ? ids : null
  }
