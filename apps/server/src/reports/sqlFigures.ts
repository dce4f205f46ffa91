import type { RecordKind } from '../projection/recordKinds.ts'
import type {
  ActivityFact,
  ReportGroup,
  ReportGroupQuery,
  StageFunnel,
  StageFunnelQuery,
} from '../recordIndex/RecordIndex.ts'
import type { DealFact, ReportContext } from './facts.ts'
import {
  byNumberDesc,
  byText,
  type Column,
  cents,
  cmp,
  converted,
  DAY_MS,
  type Figures,
  LEAD_STATUS_COLUMNS,
  mean,
  memberName,
  moneyOf,
  PRIORITIES,
  type Row,
  ratio,
  round,
  stageInfo,
  sumMoney,
  TOP_ACCOUNTS,
  textKey,
  ticketTimesRow,
  type Value,
} from './figures.ts'
import { dayInPeriod, inPeriod, monthOf, ownerSet, weekOf } from './filters.ts'

/*
 * The reports' rows aggregated where the records are (issue #13): each function here asks the index for groups
 * (`reportGroups`: GROUP BY over the columns the figure groups on, the filters as WHERE clauses; per record only the
 * numbers a figure sums) and builds exactly the rows its figure function in figures.ts builds from facts — same keys,
 * labels, values and order (the property test compares them). The drill-down (the records behind a row) asks the
 * index by the row's key (sqlDrills.ts).
 */

export interface GroupReads {
  groups(kind: RecordKind, query: ReportGroupQuery): Promise<ReportGroup[]>
  /** Names of the non-archived accounts of `ids`. */
  accountNames(ids: readonly string[]): Promise<Map<string, string>>
  activities(): Promise<ActivityFact[]>
  funnel(query: StageFunnelQuery): Promise<StageFunnel>
  /** The ids of the funnel's deals that reached stage `query.reached` or a later one (drill-down). */
  funnelDeals(query: StageFunnelQuery): Promise<string[]>
}

export type SqlFigure = (
  reads: GroupReads,
  ctx: ReportContext,
  columns: Column[],
) => Promise<Pick<Figures, 'columns' | 'rows'>>

const DAY = 86_400_000
/** Readers of the values an index group holds (shared with sqlDrills.ts). */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '')
export const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null)
export const numOr = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback
export const numOrNull = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null
export const dealStatus = (v: unknown): DealFact['status'] => (v === 'won' || v === 'lost' ? v : 'open')

/**
 * A row key as figures.ts `Groups` makes it: the group, with `~<CUR>` when the row's money (in `currency`, the
 * currency it is shown in) does not convert; the drill-down (sqlDrills.ts) finds a row's records by it.
 */
export const rowKeyOf = (ctx: ReportContext, group: string, currency: string | null): string =>
  currency === null || converted(ctx, currency) ? group : `${group}~${currency}`

/** The filters as an index query's `where`: the owner set, the pipeline, and (with `created`) the period on createdAt. */
export function whereOf(
  ctx: ReportContext,
  ownerField: 'ownerId' | 'assigneeId',
  opts: { pipeline?: boolean; created?: boolean; status?: DealFact['status'] },
): NonNullable<ReportGroupQuery['where']> {
  const where: NonNullable<ReportGroupQuery['where']> = {}
  const owners = ownerSet(ctx.filters, ctx.members)
  if (owners !== null) where.owners = { field: ownerField, ids: [...owners] }
  const equals: Array<{ field: string; value: string }> = []
  if (opts.pipeline && ctx.filters.pipelineId !== null)
    equals.push({ field: 'pipelineId', value: ctx.filters.pipelineId })
  // A deal's status (its report column): the report index reads only the deals of that status.
  if (opts.status) equals.push({ field: 'status', value: opts.status })
  if (equals.length > 0) where.equals = equals
  if (opts.created && ctx.filters.from !== null && ctx.filters.to !== null)
    // inPeriod: the UTC day of the time is within [from, to].
    where.createdAt = {
      from: Date.parse(`${ctx.filters.from}T00:00:00Z`),
      to: Date.parse(`${ctx.filters.to}T00:00:00Z`) + DAY,
    }
  return where
}

/** The groups of the deals of each of `statuses` (one query each, in parallel: each reads its part of the index). */
export async function dealGroupsOf(
  reads: GroupReads,
  ctx: ReportContext,
  statuses: ReadonlyArray<DealFact['status']>,
  query: Omit<ReportGroupQuery, 'where'>,
  opts: { created?: boolean } = {},
): Promise<ReportGroup[]> {
  const parts = await Promise.all(
    statuses.map((status) =>
      reads.groups('deals', {
        ...query,
        where: whereOf(ctx, 'ownerId', { pipeline: true, status, ...opts }),
      }),
    ),
  )
  return parts.flat()
}

interface Entry<A> {
  key: string
  group: string
  name: string
  label: string
  currency: string | null
  /** The smallest id behind the entry ('' for an entry that exists before any record: `ensure`). */
  firstId: string
  /** Place among the entries made by `ensure` (they come first, in that order). */
  ensured: number
  acc: A
}

/**
 * Rows as figures.ts `Groups` makes them — per group, per currency when money does not convert — from groups of
 * records: an entry's label is the one of its record with the smallest id (the figures add records in id order).
 */
class Entries<A> {
  readonly byKey = new Map<string, Entry<A>>()
  constructor(
    private readonly ctx: ReportContext,
    private readonly init: () => A,
  ) {}
  add(group: string, label: string, currency: string | null, firstId: string): A {
    const key = rowKeyOf(this.ctx, group, currency)
    const full = key === group ? label : `${label} (${currency})`
    let entry = this.byKey.get(key)
    if (!entry) {
      entry = {
        key,
        group,
        name: label,
        label: full,
        currency,
        firstId,
        ensured: Number.MAX_SAFE_INTEGER,
        acc: this.init(),
      }
      this.byKey.set(key, entry)
    } else if (firstId < entry.firstId) {
      Object.assign(entry, { name: label, label: full, currency, firstId })
    }
    return entry.acc
  }
  ensure(group: string, label: string): void {
    if (!this.byKey.has(group))
      this.byKey.set(group, {
        key: group,
        group,
        name: label,
        label,
        currency: null,
        firstId: '',
        ensured: this.byKey.size,
        acc: this.init(),
      })
  }
  /** Rows in the figures' insertion order (ensured entries, then by first id), then sorted by `order` if given. */
  rows(values: (e: Entry<A>) => Record<string, Value>, order?: (a: Row, b: Row) => number): Row[] {
    const entries = [...this.byKey.values()].sort(
      (a, b) => a.ensured - b.ensured || cmp(a.firstId, b.firstId),
    )
    const rows = entries.map((e) => {
      const row: Row = { key: e.key, label: e.label, values: values(e) }
      if (e.currency !== null) row.currency = e.currency
      return row
    })
    if (order) rows.sort(order)
    return rows
  }
}

/** A deal with only what the money figures read (`sumMoney` takes DealFacts). */
const moneyDeal = (amount: unknown, currency: string): DealFact =>
  ({ amount: numOr(amount, 0), currency }) as DealFact

export const leadsBySource: SqlFigure = async (reads, ctx, columns) => {
  const groups = await reads.groups('contacts', {
    groupBy: ['source', 'leadStatus'],
    where: whereOf(ctx, 'ownerId', { created: true }),
  })
  const entries = new Entries(ctx, () => ({ contacts: 0, byStatus: new Map<string, number>() }))
  for (const g of groups) {
    const source = str(g.keys[0])
    const status = str(g.keys[1])
    const acc = entries.add(source, source, null, g.firstId)
    acc.contacts += g.count
    acc.byStatus.set(status, (acc.byStatus.get(status) ?? 0) + g.count)
  }
  const rows = entries.rows(
    (e) => ({
      source: e.group,
      contacts: e.acc.contacts,
      ...Object.fromEntries(LEAD_STATUS_COLUMNS.map((s) => [s, e.acc.byStatus.get(s) ?? 0])),
    }),
    byText('source'),
  )
  return { columns, rows }
}

export const accountsBy =
  (field: 'tier' | 'industry' | 'ownerId'): SqlFigure =>
  async (reads, ctx, columns) => {
    const groups = await reads.groups('accounts', {
      groupBy: [field],
      where: whereOf(ctx, 'ownerId', { created: true }),
    })
    const entries = new Entries(ctx, () => ({ accounts: 0 }))
    for (const g of groups) {
      const value = field === 'ownerId' ? strOrNull(g.keys[0]) : str(g.keys[0])
      const key = value === null || value === '' ? '-' : textKey(value)
      const name =
        field === 'ownerId' ? memberName(ctx, value) : value === null || value === '' ? 'None' : value
      entries.add(key, name, null, g.firstId).accounts += g.count
    }
    return {
      columns,
      rows: entries.rows((e) => ({ group: e.name, accounts: e.acc.accounts }), byNumberDesc('accounts')),
    }
  }

const ticketStatus = (column: unknown) => str(column) || 'new'

export const serviceByAccount: SqlFigure = async (reads, ctx, columns) => {
  const groups = await reads.groups('tickets', {
    groupBy: ['accountId', 'status'],
    where: whereOf(ctx, 'assigneeId', { created: true }),
  })
  const entries = new Entries(ctx, () => ({ accountId: null as string | null, tickets: 0, resolved: 0 }))
  for (const g of groups) {
    const accountId = strOrNull(g.keys[0])
    const acc = entries.add(accountId ?? '-', '', null, g.firstId)
    acc.accountId = accountId
    acc.tickets += g.count
    if (ticketStatus(g.keys[1]) === 'resolved') acc.resolved += g.count
  }
  const sorted = entries
    .rows((e) => ({ account: '', tickets: e.acc.tickets, open: 0, resolved: 0 }), byNumberDesc('tickets'))
    .slice(0, TOP_ACCOUNTS)
  const top = sorted.map(
    (r) => entries.byKey.get(r.key) as Entry<{ accountId: string | null; tickets: number; resolved: number }>,
  )
  const names = await reads.accountNames(
    top.flatMap((e) => (e.acc.accountId === null ? [] : [e.acc.accountId])),
  )
  const rows = top.map((e): Row => {
    const id = e.acc.accountId
    const account = id === null ? 'No account' : (names.get(id) ?? id)
    return {
      key: e.key,
      label: account,
      values: {
        account,
        tickets: e.acc.tickets,
        open: e.acc.tickets - e.acc.resolved,
        resolved: e.acc.resolved,
      },
    }
  })
  return { columns, rows }
}

export const serviceBacklog: SqlFigure = async (reads, ctx, columns) => {
  const groups = await reads.groups('tickets', {
    groupBy: ['priority', 'status'],
    where: whereOf(ctx, 'assigneeId', { created: true }),
  })
  const entries = new Entries(ctx, () => new Map<string, number>())
  for (const p of PRIORITIES) entries.ensure(p, p)
  for (const g of groups) {
    const status = ticketStatus(g.keys[1])
    if (status === 'resolved') continue
    const priority = str(g.keys[0]) || 'normal'
    const acc = entries.add(priority, priority, null, g.firstId)
    acc.set(status, (acc.get(status) ?? 0) + g.count)
  }
  const rows = entries.rows((e) => ({
    priority: e.name,
    new: e.acc.get('new') ?? 0,
    open: e.acc.get('open') ?? 0,
    waiting: e.acc.get('waiting') ?? 0,
    total: [...e.acc.values()].reduce((s, n) => s + n, 0),
  }))
  return { columns, rows }
}

export const serviceCsat: SqlFigure = async (reads, ctx, columns) => {
  const groups = await reads.groups('tickets', {
    groupBy: ['csat'],
    where: whereOf(ctx, 'assigneeId', { created: true }),
  })
  const entries = new Entries(ctx, () => ({ tickets: 0 }))
  for (const score of ['1', '2', '3', '4', '5']) entries.ensure(score, score)
  let rated = 0
  for (const g of groups) {
    const csat = numOrNull(g.keys[0])
    if (csat === null) continue
    rated += g.count
    entries.add(String(csat), String(csat), null, g.firstId).tickets += g.count
  }
  const rows = entries.rows((e) => ({
    score: e.group,
    tickets: e.acc.tickets,
    share: ratio(e.acc.tickets, rated),
  }))
  return { columns, rows }
}

export const customersRevenue: SqlFigure = async (reads, ctx, columns) => {
  const groups = await dealGroupsOf(reads, ctx, ['won'], {
    groupBy: ['status', 'accountId', 'currency'],
    values: ['amount', 'stageEnteredAt'],
  })
  const entries = new Entries(ctx, () => ({ accountId: null as string | null, deals: [] as DealFact[] }))
  for (const g of groups) {
    if (dealStatus(g.keys[0]) !== 'won') continue
    const accountId = strOrNull(g.keys[1])
    const currency = str(g.keys[2]) || 'USD'
    const deals = (g.values ?? [])
      .filter(([, entered]) => inPeriod(ctx.filters, numOr(entered, 0)))
      .map(([amount]) => moneyDeal(amount, currency))
    if (deals.length === 0) continue
    const acc = entries.add(accountId ?? '-', '', moneyOf(ctx, 0, currency).currency, g.firstId)
    acc.accountId = accountId
    acc.deals.push(...deals)
  }
  const sorted = entries
    .rows(
      (e) => ({ account: '', deals: e.acc.deals.length, revenue: sumMoney(ctx, e.acc.deals) }),
      byNumberDesc('revenue'),
    )
    .slice(0, TOP_ACCOUNTS)
  const ids = sorted.flatMap((r) => {
    const id = entries.byKey.get(r.key)?.acc.accountId
    return id === null || id === undefined ? [] : [id]
  })
  const names = await reads.accountNames(ids)
  for (const row of sorted) {
    const entry = entries.byKey.get(row.key) as Entry<{ accountId: string | null }>
    const id = entry.acc.accountId
    const name = id === null ? 'No account' : (names.get(id) ?? id)
    row.label =
      row.currency !== undefined && !converted(ctx, row.currency) ? `${name} (${row.currency})` : name
    row.values = { account: name, deals: row.values.deals ?? 0, revenue: row.values.revenue ?? 0 }
  }
  return { columns, rows: sorted }
}

export const salesPipeline: SqlFigure = async (reads, ctx, columns) => {
  const info = stageInfo(ctx)
  const multi = ctx.filters.pipelineId === null && ctx.pipelines.length > 1
  const groups = await dealGroupsOf(
    reads,
    ctx,
    ['open'],
    { groupBy: ['status', 'pipelineId', 'stage', 'currency'], values: ['amount'] },
    { created: true },
  )
  const orderOf = new Map<string, number>()
  const entries = new Entries(ctx, () => ({ count: 0, deals: [] as DealFact[], weighted: 0 }))
  for (const g of groups) {
    if (dealStatus(g.keys[0]) !== 'open') continue
    const pipelineId = str(g.keys[1])
    const stage = str(g.keys[2])
    const currency = str(g.keys[3]) || 'USD'
    const s = info.get(`${pipelineId}\u0000${stage}`)
    const name = s?.stage.name ?? stage
    const key = multi ? `${pipelineId}:${stage}` : stage
    orderOf.set(key, s?.order ?? Number.MAX_SAFE_INTEGER)
    const prob = s?.stage.probability ?? 0
    const deals = (g.values ?? []).map(([amount]) => moneyDeal(amount, currency))
    const acc = entries.add(
      key,
      multi && s ? `${s.pipeline} / ${name}` : name,
      moneyOf(ctx, 0, currency).currency,
      g.firstId,
    )
    acc.count += g.count
    acc.deals.push(...deals)
    // Whole cents, as sumMoney adds them.
    acc.weighted += Math.round(sumMoney(ctx, deals, () => prob) * 100)
  }
  const rows = entries.rows(
    (e) => ({
      stage: e.name,
      deals: e.acc.count,
      total: sumMoney(ctx, e.acc.deals),
      weighted: e.acc.weighted / 100,
    }),
    (a, b) =>
      (orderOf.get(a.key.split('~')[0] as string) ?? 0) - (orderOf.get(b.key.split('~')[0] as string) ?? 0) ||
      cmp(a.key, b.key),
  )
  return { columns, rows }
}

export const salesLostReasons: SqlFigure = async (reads, ctx, columns) => {
  const groups = await dealGroupsOf(reads, ctx, ['lost'], {
    groupBy: ['status', 'lostReason', 'currency'],
    values: ['amount', 'stageEnteredAt'],
  })
  const entries = new Entries(ctx, () => [] as DealFact[])
  for (const g of groups) {
    if (dealStatus(g.keys[0]) !== 'lost') continue
    const reason = strOrNull(g.keys[1])?.trim() || ''
    const currency = str(g.keys[2]) || 'USD'
    const deals = (g.values ?? [])
      .filter(([, entered]) => inPeriod(ctx.filters, numOr(entered, 0)))
      .map(([amount]) => moneyDeal(amount, currency))
    if (deals.length === 0) continue
    entries
      .add(
        reason === '' ? '-' : textKey(reason),
        reason === '' ? 'No reason given' : reason,
        moneyOf(ctx, 0, currency).currency,
        g.firstId,
      )
      .push(...deals)
  }
  const rows = entries.rows(
    (e) => ({ reason: e.name, deals: e.acc.length, amount: sumMoney(ctx, e.acc) }),
    byNumberDesc('deals'),
  )
  return { columns, rows }
}

/** `sumMoney` in whole cents (exact to add up across groups). */
const centsOf = (ctx: ReportContext, deals: readonly DealFact[], weight = 1) =>
  Math.round(sumMoney(ctx, deals, () => weight) * 100)

export const leadsConversion: SqlFigure = async (reads, ctx, columns) => {
  const where = whereOf(ctx, 'ownerId', { created: true })
  const count = async (onDeal?: { won: boolean }) => {
    const groups = await reads.groups('contacts', {
      groupBy: [],
      where: onDeal ? { ...where, onDeal: { pipelineId: ctx.filters.pipelineId, won: onDeal.won } } : where,
    })
    return groups.reduce((n, g) => n + g.count, 0)
  }
  const [leads, deal, won] = await Promise.all([count(), count({ won: false }), count({ won: true })])
  const steps = [
    { key: 'leads', label: 'Leads', n: leads },
    { key: 'deal', label: 'On a deal', n: deal },
    { key: 'won', label: 'On a won deal', n: won },
  ]
  return {
    columns,
    rows: steps.map((s) => ({
      key: s.key,
      label: s.label,
      values: { step: s.label, contacts: s.n, conversion: ratio(s.n, leads) },
    })),
  }
}

export const salesForecast: SqlFigure = async (reads, ctx, columns) => {
  const info = stageInfo(ctx)
  const groups = await dealGroupsOf(reads, ctx, ['open', 'won'], {
    groupBy: ['status', 'pipelineId', 'stage', 'currency', 'expectedCloseDate'],
    values: ['amount'],
  })
  const entries = new Entries(ctx, () => ({ weighted: 0, bestCase: 0, closedWon: 0 }))
  for (const g of groups) {
    const status = dealStatus(g.keys[0])
    const close = strOrNull(g.keys[4])
    if (status === 'lost' || !dayInPeriod(ctx.filters, close)) continue
    const currency = str(g.keys[3]) || 'USD'
    const month = String(close).slice(0, 7)
    const deals = (g.values ?? []).map(([amount]) => moneyDeal(amount, currency))
    const acc = entries.add(month, month, moneyOf(ctx, 0, currency).currency, g.firstId)
    acc.bestCase += centsOf(ctx, deals)
    if (status === 'won') acc.closedWon += centsOf(ctx, deals)
    if (status === 'open') {
      const prob = info.get(`${str(g.keys[1])}\u0000${str(g.keys[2])}`)?.stage.probability ?? 0
      acc.weighted += centsOf(ctx, deals, prob)
    }
  }
  const rows = entries.rows(
    (e) => ({
      month: e.group,
      weighted: e.acc.weighted / 100,
      bestCase: e.acc.bestCase / 100,
      closedWon: e.acc.closedWon / 100,
    }),
    byText('month'),
  )
  return { columns, rows }
}

export const salesLeaderboard: SqlFigure = async (reads, ctx, columns) => {
  const owners = ownerSet(ctx.filters, ctx.members)
  const [groups, activityFacts] = await Promise.all([
    reads.groups('deals', {
      groupBy: ['ownerId', 'status', 'currency'],
      where: whereOf(ctx, 'ownerId', { pipeline: true }),
      values: ['amount', 'stageEnteredAt'],
    }),
    reads.activities(),
  ])
  const activities = new Map<string, number>()
  for (const a of activityFacts) {
    if (a.actorId === null || !inPeriod(ctx.filters, a.at)) continue
    if (owners !== null && !owners.has(a.actorId)) continue
    activities.set(a.actorId, (activities.get(a.actorId) ?? 0) + 1)
  }
  const entries = new Entries(ctx, () => ({ wonValue: 0, won: 0, closed: 0, open: 0 }))
  for (const g of groups) {
    const ownerId = strOrNull(g.keys[0])
    const status = dealStatus(g.keys[1])
    const currency = str(g.keys[2]) || 'USD'
    const deals = (g.values ?? [])
      .filter(([, entered]) => status === 'open' || inPeriod(ctx.filters, numOr(entered, 0)))
      .map(([amount]) => moneyDeal(amount, currency))
    if (deals.length === 0) continue
    const acc = entries.add(
      ownerId ?? '-',
      memberName(ctx, ownerId),
      moneyOf(ctx, 0, currency).currency,
      g.firstId,
    )
    if (status === 'open') acc.open += centsOf(ctx, deals)
    else acc.closed += deals.length
    if (status === 'won') {
      acc.won += deals.length
      acc.wonValue += centsOf(ctx, deals)
    }
  }
  // Owners with activities and no deals still get a row.
  const groupsWithDeals = new Set([...entries.byKey.values()].map((e) => e.group))
  for (const userId of [...activities.keys()].sort())
    if (!groupsWithDeals.has(userId)) entries.add(userId, memberName(ctx, userId), null, '')
  const rows = entries.rows(
    (e) => ({
      owner: memberName(ctx, e.group === '-' ? null : e.group),
      wonValue: e.acc.wonValue / 100,
      won: e.acc.won,
      winRate: ratio(e.acc.won, e.acc.closed),
      openPipeline: e.acc.open / 100,
      activities: activities.get(e.group) ?? 0,
    }),
    byNumberDesc('wonValue'),
  )
  return { columns, rows }
}

export const salesWinRate: SqlFigure = async (reads, ctx, columns) => {
  const groups = await dealGroupsOf(reads, ctx, ['won', 'lost'], {
    groupBy: ['status', 'currency'],
    values: ['id', 'amount', 'stageEnteredAt', 'createdAt'],
  })
  // The closed deals of the period in the figure's order (closing time, then id): the means add in that order.
  const deals: Array<{
    id: string
    won: boolean
    currency: string
    amount: number
    at: number
    createdAt: number
  }> = []
  for (const g of groups) {
    const status = dealStatus(g.keys[0])
    if (status === 'open') continue
    const currency = str(g.keys[1]) || 'USD'
    for (const [id, amount, entered, created] of g.values ?? []) {
      const at = numOr(entered, 0)
      if (!inPeriod(ctx.filters, at)) continue
      deals.push({
        id: String(id),
        won: status === 'won',
        currency,
        amount: numOr(amount, 0),
        at,
        createdAt: numOr(created, 0),
      })
    }
  }
  deals.sort((a, b) => a.at - b.at || cmp(a.id, b.id))
  const entries = new Entries(ctx, () => ({ closed: 0, sizes: [] as number[], cycles: [] as number[] }))
  for (const d of deals) {
    const month = monthOf(d.at)
    const money = moneyOf(ctx, d.amount, d.currency)
    const acc = entries.add(month, month, money.currency, d.id)
    acc.closed += 1
    if (d.won) {
      acc.sizes.push(money.amount)
      acc.cycles.push((d.at - d.createdAt) / DAY_MS)
    }
  }
  const rows = entries.rows((e) => {
    const size = mean(e.acc.sizes)
    const cycle = mean(e.acc.cycles)
    const won = e.acc.sizes.length
    return {
      month: e.group,
      won,
      lost: e.acc.closed - won,
      winRate: ratio(won, e.acc.closed),
      avgDealSize: size === null ? null : cents(size),
      cycleDays: cycle === null ? null : round(cycle, 2),
    }
  }, byText('month'))
  return { columns, rows }
}

export const serviceVolume: SqlFigure = async (reads, ctx, columns) => {
  const groups = await reads.groups('tickets', {
    groupBy: ['status'],
    where: whereOf(ctx, 'assigneeId', {}),
    values: ['createdAt', 'resolvedAt'],
  })
  const entries = new Entries(ctx, () => ({ created: 0, resolved: 0 }))
  for (const g of groups) {
    const resolvedStatus = g.keys[0] === 'resolved'
    for (const [created, resolved] of g.values ?? []) {
      const createdAt = numOr(created, 0)
      if (inPeriod(ctx.filters, createdAt)) {
        const week = weekOf(createdAt)
        entries.add(week, week, null, '').created += 1
      }
      const resolvedAt = numOrNull(resolved)
      if (resolvedStatus && resolvedAt !== null && inPeriod(ctx.filters, resolvedAt)) {
        const week = weekOf(resolvedAt)
        entries.add(week, week, null, '').resolved += 1
      }
    }
  }
  const rows = entries.rows(
    (e) => ({ week: e.group, created: e.acc.created, resolved: e.acc.resolved }),
    byText('week'),
  )
  return { columns, rows }
}

interface TicketTimes {
  resolved: boolean
  createdAt: number
  firstResponseAt: number | null
  resolvedAt: number | null
  slaDueAt: number | null
  csat: number | null
}

export const serviceTimes: SqlFigure = async (reads, ctx, columns) => {
  const groups = await reads.groups('tickets', {
    groupBy: ['priority', 'status'],
    where: whereOf(ctx, 'assigneeId', { created: true }),
    // No ids: the figure adds its tickets in id order, but nothing in the row depends on that order — percentiles
    // sort, SLA counts, and CSAT scores are whole numbers (an exact sum in any order). Spares the JSON the ids and
    // two sorts of every ticket by id (the query itself took the same time without them, measured on PostgreSQL).
    values: ['createdAt', 'firstResponseAt', 'resolvedAt', 'slaDueAt', 'csat'],
  })
  const entries = new Entries(ctx, () => [] as TicketTimes[])
  for (const p of PRIORITIES) entries.ensure(p, p)
  entries.ensure('all', 'All')
  for (const g of groups) {
    const priority = str(g.keys[0]) || 'normal'
    const tickets = (g.values ?? []).map(
      ([created, first, resolved, sla, csat]): TicketTimes => ({
        resolved: g.keys[1] === 'resolved',
        createdAt: numOr(created, 0),
        firstResponseAt: numOrNull(first),
        resolvedAt: numOrNull(resolved),
        slaDueAt: numOrNull(sla),
        csat: numOrNull(csat),
      }),
    )
    entries.add(priority, priority, null, g.firstId).push(...tickets)
    entries.add('all', 'All', null, g.firstId).push(...tickets)
  }
  const rows = entries.rows((e) =>
    ticketTimesRow(
      e.name,
      e.acc.map((t) => ({ ...t, resolvedAt: t.resolved ? t.resolvedAt : null })),
      ctx.now,
    ),
  )
  return { columns, rows }
}

export const leadsRevenue: SqlFigure = async (reads, ctx, columns) => {
  const where = whereOf(ctx, 'ownerId', { pipeline: true })
  const [groups, contacts] = await Promise.all([
    reads.groups('deals', {
      groupBy: ['currency'],
      where: { ...where, equals: [...(where.equals ?? []), { field: 'status', value: 'won' }] },
      values: ['contactIds', 'amount', 'stageEnteredAt'],
    }),
    // The contacts of every won deal that exist (not archived), as the figure looks them up.
    reads.groups('contacts', {
      groupBy: ['id', 'source'],
      where: { onDeal: { pipelineId: null, won: true } },
    }),
  ])
  const sources = new Map(contacts.map((c) => [String(c.keys[0]), str(c.keys[1])]))
  const entries = new Entries(ctx, () => [] as DealFact[])
  for (const g of groups) {
    const currency = str(g.keys[0]) || 'USD'
    for (const [contactIds, amount, entered] of g.values ?? []) {
      if (!inPeriod(ctx.filters, numOr(entered, 0))) continue
      const ids = JSON.parse(String(contactIds)) as string[]
      const contact = ids.find((id) => sources.has(id))
      const source = contact === undefined ? 'none' : (sources.get(contact) as string)
      entries.add(source, source, moneyOf(ctx, 0, currency).currency, '').push(moneyDeal(amount, currency))
    }
  }
  const rows = entries.rows(
    (e) => ({ source: e.group, deals: e.acc.length, revenue: sumMoney(ctx, e.acc) }),
    byNumberDesc('revenue'),
  )
  return { columns, rows }
}

export const salesFunnel: SqlFigure = async (reads, ctx, columns) => {
  const pipeline =
    ctx.pipelines.find((p) => p.id === ctx.filters.pipelineId) ??
    ctx.pipelines.find((p) => !p.archived) ??
    ctx.pipelines[0]
  if (!pipeline) return { columns, rows: [] }
  const stages = pipeline.stages.filter((s) => s.outcome !== 'lost')
  const order = new Map(stages.map((s, i) => [s.id, i]))
  const where = whereOf(ctx, 'ownerId', { created: true })
  const funnel = await reads.funnel({
    pipelineId: pipeline.id,
    stageIds: stages.map((s) => s.id),
    now: ctx.now,
    where,
  })
  // Deals reaching stage i: those whose furthest stage is i or a later one.
  const reached = stages.map(() => 0)
  for (const { stage, deals } of funnel.furthest)
    for (let i = 0; i <= stage && i < reached.length; i++) reached[i] = (reached[i] ?? 0) + deals
  const stays = stages.map(() => [] as number[])
  for (const { stage, ms } of funnel.stays) {
    const at = order.get(stage)
    if (at === undefined || stages[at]?.outcome !== 'open') continue
    for (const m of ms) stays[at]?.push(Math.max(0, m) / DAY_MS)
  }
  const first = reached[0] ?? 0
  const rows: Row[] = stages.map((s, i) => {
    const avg = mean(stays[i] ?? [])
    return {
      key: s.id,
      label: s.name,
      values: {
        stage: s.name,
        reached: reached[i] ?? 0,
        conversion: ratio(reached[i] ?? 0, first),
        avgDays: avg === null ? null : round(avg, 2),
      },
    }
  })
  return { columns, rows }
}
