import { createHash } from 'node:crypto'
import { type Stage, toBaseCurrency } from '@rapport/model'
import type {
  AccountFact,
  ContactFact,
  DealFact,
  FactSet,
  ReportContext,
  ReportFacts,
  TicketFact,
} from './facts.ts'
import { dayInPeriod, inPeriod, monthOf, ownerSet, weekOf } from './filters.ts'

/*
 * The figures of issue #13 §1–§4 as pure functions of facts (facts.ts) and a context: each report gives its columns,
 * its rows and, per row, the ids of the records behind it (drill-down). docs/schema.md "Reports" says which time
 * each report's period applies to. Money: with currency rates every amount is converted to the base currency
 * (`toBaseCurrency`, per record, rounded to cents) and rows are per group; an amount without a rate, or every amount
 * when the workspace has no rates, stays in its currency, in a row of its own (key `<group>~<CUR>`, `currency` set).
 */

export const COLUMN_TYPES = ['text', 'number', 'money', 'percent', 'days', 'month', 'week'] as const
export type ColumnType = (typeof COLUMN_TYPES)[number]
export const CHART_TYPES = ['bar', 'line', 'pie', 'funnel', 'table'] as const
export type ChartType = (typeof CHART_TYPES)[number]
export const FAMILIES = ['sales', 'leads', 'service', 'customers'] as const
export type Family = (typeof FAMILIES)[number]
export type DrillKind = 'deals' | 'contacts' | 'tickets' | 'accounts'
export type Value = number | string | null

export interface Column {
  key: string
  label: string
  type: ColumnType
}
export interface Row {
  key: string
  label: string
  values: Record<string, Value>
  currency?: string
}
export interface Figures {
  columns: Column[]
  rows: Row[]
  /** Row key → ids of the records behind the row (of the report's `drill` kind), in a stable order. */
  members: Map<string, string[]>
}

/** The deal fields every deal report reads; others are named per report (`dealFields`). */
export const DEAL_CORE = [
  'id',
  'pipelineId',
  'position',
  'status',
  'amount',
  'currency',
  'ownerId',
  'createdAt',
  'stageEnteredAt',
] as const
export type DealField = 'expectedCloseDate' | 'lostReason' | 'contactIds' | 'accountId' | 'title'

export interface ReportDef {
  id: string
  title: string
  family: Family
  chart: { type: ChartType; x: string; series: string[] }
  description: string
  needs: readonly FactSet[]
  /** Deal fields the figures read besides DEAL_CORE (the index reads only these: fewer bytes per row). */
  dealFields?: readonly DealField[]
  /**
   * Whether the figures look accounts up only by the `accountId` of the tickets or of the won deals (then the index
   * reads those, with names); else every account is read, without its name.
   */
  accountsOf?: 'tickets' | 'wonDeals'
  /** Whether the figures look contacts up only by the ids of won deals (the index reads those, not every contact). */
  contactsOfWonDeals?: true
  drill: DrillKind
  compute(facts: ReportFacts, ctx: ReportContext): Figures
}

/** Code-point order (what `sort()` does): fast and the same everywhere, unlike the locale's collation. */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export const DAY_MS = 86_400_000
export const HOUR_MS = 3_600_000
export const round = (n: number, digits: number) => {
  const f = 10 ** digits
  return Math.round(n * f) / f
}
export const cents = (n: number) => round(n, 2)
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : round(a / b, 4))
export const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length

/** Nearest-rank percentile (p in 0..1) of `values`; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[rank - 1] as number
}

/** An amount as reports show it: in the base currency when it converts, else in its own. */
export function moneyOf(
  ctx: ReportContext,
  amount: number,
  currency: string,
): { currency: string; amount: number } {
  if (ctx.currency) {
    const converted = toBaseCurrency(amount, currency, ctx.currency)
    if (converted !== null) return { currency: ctx.currency.base, amount: converted }
  }
  return { currency, amount }
}

export const converted = (ctx: ReportContext, currency: string) =>
  ctx.currency !== null && currency === ctx.currency.base

interface GroupEntry {
  group: string
  /** The group's name; `label` adds the currency when the row is one currency's. */
  name: string
  label: string
  currency: string | null
}

/** Groups of rows, each per currency when money does not convert; keeps insertion order of groups. */
class Groups<T> {
  readonly byKey = new Map<string, GroupEntry & { items: T[] }>()
  constructor(private readonly ctx: ReportContext) {}
  add(group: string, label: string, currency: string | null, item: T): void {
    const key = currency === null || converted(this.ctx, currency) ? group : `${group}~${currency}`
    let entry = this.byKey.get(key)
    if (!entry) {
      entry = {
        group,
        name: label,
        label: currency === null || converted(this.ctx, currency) ? label : `${label} (${currency})`,
        currency,
        items: [],
      }
      this.byKey.set(key, entry)
    }
    entry.items.push(item)
  }
  ensure(group: string, label: string): void {
    if (!this.byKey.has(group))
      this.byKey.set(group, { group, name: label, label, currency: null, items: [] })
  }
}

function figuresOf<T extends { id: string }>(
  groups: Groups<T>,
  columns: Column[],
  values: (items: T[], entry: GroupEntry) => Record<string, Value>,
  order?: (a: Row, b: Row) => number,
  members?: (items: T[]) => string[],
): Figures {
  const rows: Row[] = []
  const ids = new Map<string, string[]>()
  for (const [key, entry] of groups.byKey) {
    const row: Row = { key, label: entry.label, values: values(entry.items, entry) }
    if (entry.currency !== null) row.currency = entry.currency
    rows.push(row)
    ids.set(key, members ? members(entry.items) : [...new Set(entry.items.map((i) => i.id))].sort())
  }
  if (order) rows.sort(order)
  return { columns, rows, members: ids }
}

// ---- filtering ----

function dealsOf(facts: ReportFacts, ctx: ReportContext): DealFact[] {
  const owners = ownerSet(ctx.filters, ctx.members)
  return facts.deals.filter(
    (d) =>
      (ctx.filters.pipelineId === null || d.pipelineId === ctx.filters.pipelineId) &&
      (owners === null || (d.ownerId !== null && owners.has(d.ownerId))),
  )
}
function ticketsOf(facts: ReportFacts, ctx: ReportContext): TicketFact[] {
  const owners = ownerSet(ctx.filters, ctx.members)
  return facts.tickets.filter((t) => owners === null || (t.assigneeId !== null && owners.has(t.assigneeId)))
}
function accountsOf(facts: ReportFacts, ctx: ReportContext): AccountFact[] {
  const owners = ownerSet(ctx.filters, ctx.members)
  return facts.accounts.filter((a) => owners === null || (a.ownerId !== null && owners.has(a.ownerId)))
}
function contactsOf(facts: ReportFacts, ctx: ReportContext): ContactFact[] {
  const owners = ownerSet(ctx.filters, ctx.members)
  return facts.contacts.filter((c) => owners === null || (c.ownerId !== null && owners.has(c.ownerId)))
}
export const closed = (d: DealFact) => d.status !== 'open'

export function stageInfo(
  ctx: ReportContext,
): Map<string, { stage: Stage; pipeline: string; order: number }> {
  const out = new Map<string, { stage: Stage; pipeline: string; order: number }>()
  let order = 0
  for (const pipeline of ctx.pipelines)
    for (const stage of pipeline.stages)
      out.set(`${pipeline.id}\u0000${stage.id}`, { stage, pipeline: pipeline.name, order: order++ })
  return out
}

/** A sum of amounts (each weighted, then rounded to cents) in whole cents: the same in any order. */
export const sumMoney = (
  ctx: ReportContext,
  deals: readonly DealFact[],
  weight: (d: DealFact) => number = () => 1,
) =>
  deals.reduce((s, d) => s + Math.round(moneyOf(ctx, d.amount, d.currency).amount * weight(d) * 100), 0) / 100

export const byText = (column: string) => (a: Row, b: Row) =>
  cmp(String(a.values[column] ?? ''), String(b.values[column] ?? '')) || cmp(a.key, b.key)
export const byNumberDesc = (column: string) => (a: Row, b: Row) =>
  Number(b.values[column] ?? 0) - Number(a.values[column] ?? 0) || cmp(a.key, b.key)

/** A row key for a free text (a lost reason, an industry): the text when it is URL-plain, else a short hash of it. */
export const textKey = (text: string): string =>
  /^[A-Za-z0-9_.-]{1,64}$/.test(text)
    ? text
    : `h${createHash('sha256').update(text).digest('hex').slice(0, 12)}`

export const memberName = (ctx: ReportContext, userId: string | null) =>
  userId === null ? 'Unassigned' : (ctx.members.find((m) => m.userId === userId)?.name ?? userId)

// ---- sales ----

const salesPipeline: ReportDef = {
  id: 'sales.pipeline',
  title: 'Pipeline by stage',
  family: 'sales',
  chart: { type: 'bar', x: 'stage', series: ['total', 'weighted'] },
  description:
    'Open deals per stage: count, total and total weighted by the stage probability (period: deal created).',
  needs: ['deals'],
  drill: 'deals',
  compute(facts, ctx) {
    const info = stageInfo(ctx)
    const multi = ctx.filters.pipelineId === null && ctx.pipelines.length > 1
    const deals = dealsOf(facts, ctx).filter((d) => d.status === 'open' && inPeriod(ctx.filters, d.createdAt))
    // Rows in stage order (pipelines in settings order, unknown stages last), then by key.
    const orderOf = new Map<string, number>()
    const groups = new Groups<DealFact>(ctx)
    for (const d of deals) {
      const s = info.get(`${d.pipelineId}\u0000${d.stage}`)
      const name = s?.stage.name ?? d.stage
      const key = multi ? `${d.pipelineId}:${d.stage}` : d.stage
      orderOf.set(key, s?.order ?? Number.MAX_SAFE_INTEGER)
      groups.add(
        key,
        multi && s ? `${s.pipeline} / ${name}` : name,
        moneyOf(ctx, d.amount, d.currency).currency,
        d,
      )
    }
    const prob = (d: DealFact) => info.get(`${d.pipelineId}\u0000${d.stage}`)?.stage.probability ?? 0
    return figuresOf(
      groups,
      [
        { key: 'stage', label: 'Stage', type: 'text' },
        { key: 'deals', label: 'Deals', type: 'number' },
        { key: 'total', label: 'Total', type: 'money' },
        { key: 'weighted', label: 'Weighted', type: 'money' },
      ],
      (items, e) => ({
        stage: e.name,
        deals: items.length,
        total: sumMoney(ctx, items),
        weighted: sumMoney(ctx, items, prob),
      }),
      (a, b) =>
        (orderOf.get(a.key.split('~')[0] as string) ?? 0) -
          (orderOf.get(b.key.split('~')[0] as string) ?? 0) || cmp(a.key, b.key),
    )
  },
}

const salesForecast: ReportDef = {
  id: 'sales.forecast',
  title: 'Forecast by expected close month',
  family: 'sales',
  chart: { type: 'line', x: 'month', series: ['weighted', 'bestCase', 'closedWon'] },
  description:
    'Per expected-close month: open deals weighted by stage probability, best case (open + won) and closed-won so far (period: expected close date).',
  needs: ['deals'],
  dealFields: ['expectedCloseDate'],
  drill: 'deals',
  compute(facts, ctx) {
    const info = stageInfo(ctx)
    const deals = dealsOf(facts, ctx)
      .filter((d) => d.status !== 'lost' && dayInPeriod(ctx.filters, d.expectedCloseDate))
      .sort((a, b) => cmp(String(a.expectedCloseDate), String(b.expectedCloseDate)) || cmp(a.id, b.id))
    const groups = new Groups<DealFact>(ctx)
    for (const d of deals) {
      const month = String(d.expectedCloseDate).slice(0, 7)
      groups.add(month, month, moneyOf(ctx, d.amount, d.currency).currency, d)
    }
    const prob = (d: DealFact) => info.get(`${d.pipelineId}\u0000${d.stage}`)?.stage.probability ?? 0
    return figuresOf(
      groups,
      [
        { key: 'month', label: 'Month', type: 'month' },
        { key: 'weighted', label: 'Weighted', type: 'money' },
        { key: 'bestCase', label: 'Best case', type: 'money' },
        { key: 'closedWon', label: 'Closed won', type: 'money' },
      ],
      (items, e) => ({
        month: e.group,
        weighted: sumMoney(
          ctx,
          items.filter((d) => d.status === 'open'),
          prob,
        ),
        bestCase: sumMoney(ctx, items),
        closedWon: sumMoney(
          ctx,
          items.filter((d) => d.status === 'won'),
        ),
      }),
      byText('month'),
    )
  },
}

const salesWinRate: ReportDef = {
  id: 'sales.winRate',
  title: 'Win rate, deal size and sales cycle',
  family: 'sales',
  chart: { type: 'bar', x: 'month', series: ['won', 'lost'] },
  description:
    'Per month of closing: deals won and lost, win rate (won / closed), average won deal size and average days from creation to won (period: closed, i.e. entered the won or lost stage).',
  needs: ['deals'],
  drill: 'deals',
  compute(facts, ctx) {
    const deals = dealsOf(facts, ctx)
      .filter((d) => closed(d) && inPeriod(ctx.filters, d.stageEnteredAt))
      .sort((a, b) => a.stageEnteredAt - b.stageEnteredAt || cmp(a.id, b.id))
    const groups = new Groups<DealFact>(ctx)
    for (const d of deals) {
      const month = monthOf(d.stageEnteredAt)
      groups.add(month, month, moneyOf(ctx, d.amount, d.currency).currency, d)
    }
    return figuresOf(
      groups,
      [
        { key: 'month', label: 'Month', type: 'month' },
        { key: 'won', label: 'Won', type: 'number' },
        { key: 'lost', label: 'Lost', type: 'number' },
        { key: 'winRate', label: 'Win rate', type: 'percent' },
        { key: 'avgDealSize', label: 'Average won deal', type: 'money' },
        { key: 'cycleDays', label: 'Sales cycle (days)', type: 'days' },
      ],
      (items, e) => {
        const won = items.filter((d) => d.status === 'won')
        const size = mean(won.map((d) => moneyOf(ctx, d.amount, d.currency).amount))
        const cycle = mean(won.map((d) => (d.stageEnteredAt - d.createdAt) / DAY_MS))
        return {
          month: e.group,
          won: won.length,
          lost: items.length - won.length,
          winRate: ratio(won.length, items.length),
          avgDealSize: size === null ? null : cents(size),
          cycleDays: cycle === null ? null : round(cycle, 2),
        }
      },
      byText('month'),
    )
  },
}

const salesFunnel: ReportDef = {
  id: 'sales.funnel',
  title: 'Stage funnel',
  family: 'sales',
  chart: { type: 'funnel', x: 'stage', series: ['reached'] },
  description:
    "Deals of one pipeline (pipelineId, else the first) that reached each stage or a later one, conversion from the first stage, and the average days a stay in the stage lasted (from the stage history; an open deal's current stay counts until now) (period: deal created).",
  needs: ['deals', 'stageHistory'],
  drill: 'deals',
  compute(facts, ctx) {
    const pipeline =
      ctx.pipelines.find((p) => p.id === ctx.filters.pipelineId) ??
      ctx.pipelines.find((p) => !p.archived) ??
      ctx.pipelines[0]
    const columns: Column[] = [
      { key: 'stage', label: 'Stage', type: 'text' },
      { key: 'reached', label: 'Deals reached', type: 'number' },
      { key: 'conversion', label: 'Conversion', type: 'percent' },
      { key: 'avgDays', label: 'Average days in stage', type: 'days' },
    ]
    if (!pipeline) return { columns, rows: [], members: new Map() }
    const stages = pipeline.stages.filter((s) => s.outcome !== 'lost')
    const order = new Map(stages.map((s, i) => [s.id, i]))
    const deals = new Map(
      dealsOf(facts, { ...ctx, filters: { ...ctx.filters, pipelineId: pipeline.id } })
        .filter((d) => inPeriod(ctx.filters, d.createdAt))
        .map((d) => [d.id, d]),
    )
    const history = new Map<string, typeof facts.stageHistory>()
    for (const h of facts.stageHistory) {
      if (!deals.has(h.dealId) || h.pipelineId !== pipeline.id) continue
      const list = history.get(h.dealId) ?? []
      list.push(h)
      history.set(h.dealId, list)
    }
    const reached = stages.map(() => [] as string[])
    const stays = stages.map(() => [] as number[])
    for (const [id, deal] of deals) {
      const entries = (history.get(id) ?? []).sort((a, b) => a.seq - b.seq)
      let furthest = -1
      entries.forEach((h, i) => {
        const at = order.get(h.toStage)
        if (at === undefined) return
        furthest = Math.max(furthest, at)
        const next = entries[i + 1]
        const end = next ? next.at : deal.status === 'open' ? ctx.now : null
        if (end !== null && stages[at]?.outcome === 'open') stays[at]?.push(Math.max(0, end - h.at) / DAY_MS)
      })
      for (let i = 0; i <= furthest; i++) reached[i]?.push(id)
    }
    const first = reached[0]?.length ?? 0
    const rows: Row[] = stages.map((s, i) => {
      const avg = mean(stays[i] ?? [])
      return {
        key: s.id,
        label: s.name,
        values: {
          stage: s.name,
          reached: reached[i]?.length ?? 0,
          conversion: ratio(reached[i]?.length ?? 0, first),
          avgDays: avg === null ? null : round(avg, 2),
        },
      }
    })
    return { columns, rows, members: new Map(stages.map((s, i) => [s.id, [...(reached[i] ?? [])].sort()])) }
  },
}

const salesLostReasons: ReportDef = {
  id: 'sales.lostReasons',
  title: 'Lost reasons',
  family: 'sales',
  chart: { type: 'pie', x: 'reason', series: ['deals'] },
  description: 'Lost deals by reason, with their amount (period: lost, i.e. entered the lost stage).',
  needs: ['deals'],
  dealFields: ['lostReason'],
  drill: 'deals',
  compute(facts, ctx) {
    const deals = dealsOf(facts, ctx)
      .filter((d) => d.status === 'lost' && inPeriod(ctx.filters, d.stageEnteredAt))
      .sort((a, b) => cmp(a.id, b.id))
    const groups = new Groups<DealFact>(ctx)
    for (const d of deals) {
      const reason = d.lostReason?.trim() || ''
      groups.add(
        reason === '' ? '-' : textKey(reason),
        reason === '' ? 'No reason given' : reason,
        moneyOf(ctx, d.amount, d.currency).currency,
        d,
      )
    }
    return figuresOf(
      groups,
      [
        { key: 'reason', label: 'Reason', type: 'text' },
        { key: 'deals', label: 'Deals', type: 'number' },
        { key: 'amount', label: 'Amount', type: 'money' },
      ],
      (items, e) => ({ reason: e.name, deals: items.length, amount: sumMoney(ctx, items) }),
      byNumberDesc('deals'),
    )
  },
}

interface OwnerItem {
  id: string
  deal: DealFact | null
}

const salesLeaderboard: ReportDef = {
  id: 'sales.leaderboard',
  title: 'Leaderboard',
  family: 'sales',
  chart: { type: 'table', x: 'owner', series: ['wonValue'] },
  description:
    "Per deal owner: value and number of deals won, win rate (won / closed), open pipeline (open deals now) and logged calls, emails and meetings (the owner's, on every currency row) (period: closed, for activities their time).",
  needs: ['deals', 'activities'],
  drill: 'deals',
  compute(facts, ctx) {
    const owners = ownerSet(ctx.filters, ctx.members)
    const deals = dealsOf(facts, ctx)
      .filter((d) => d.status === 'open' || inPeriod(ctx.filters, d.stageEnteredAt))
      .sort((a, b) => cmp(a.id, b.id))
    const activities = new Map<string, number>()
    for (const a of facts.activities) {
      if (a.actorId === null || !inPeriod(ctx.filters, a.at)) continue
      if (owners !== null && !owners.has(a.actorId)) continue
      activities.set(a.actorId, (activities.get(a.actorId) ?? 0) + 1)
    }
    const groups = new Groups<OwnerItem>(ctx)
    for (const d of deals)
      groups.add(d.ownerId ?? '-', memberName(ctx, d.ownerId), moneyOf(ctx, d.amount, d.currency).currency, {
        id: d.id,
        deal: d,
      })
    // Owners with activities and no deals still get a row.
    for (const userId of [...activities.keys()].sort()) {
      const has = [...groups.byKey.values()].some((e) => e.group === userId)
      if (!has) groups.add(userId, memberName(ctx, userId), null, { id: '', deal: null })
    }
    return figuresOf(
      groups,
      [
        { key: 'owner', label: 'Owner', type: 'text' },
        { key: 'wonValue', label: 'Won value', type: 'money' },
        { key: 'won', label: 'Won', type: 'number' },
        { key: 'winRate', label: 'Win rate', type: 'percent' },
        { key: 'openPipeline', label: 'Open pipeline', type: 'money' },
        { key: 'activities', label: 'Activities', type: 'number' },
      ],
      (items, e) => {
        const ds = items.flatMap((i) => (i.deal ? [i.deal] : []))
        const won = ds.filter((d) => d.status === 'won')
        const closedDeals = ds.filter(closed)
        return {
          owner: memberName(ctx, e.group === '-' ? null : e.group),
          wonValue: sumMoney(ctx, won),
          won: won.length,
          winRate: ratio(won.length, closedDeals.length),
          openPipeline: sumMoney(
            ctx,
            ds.filter((d) => d.status === 'open'),
          ),
          activities: activities.get(e.group) ?? 0,
        }
      },
      byNumberDesc('wonValue'),
      (items) => items.flatMap((i) => (i.deal ? [i.deal.id] : [])).sort(),
    )
  },
}

// ---- leads ----

export const LEAD_STATUS_COLUMNS = ['new', 'contacted', 'qualified', 'unqualified', 'customer'] as const

const leadsBySource: ReportDef = {
  id: 'leads.bySource',
  title: 'Leads by source and status',
  family: 'leads',
  chart: { type: 'bar', x: 'source', series: [...LEAD_STATUS_COLUMNS] },
  description: 'Contacts per lead source, split by lead status (period: contact created).',
  needs: ['contacts'],
  drill: 'contacts',
  compute(facts, ctx) {
    // No sort by id here: the rows are counts, ordered by source, and each row's members are sorted (figuresOf).
    const contacts = contactsOf(facts, ctx).filter((c) => inPeriod(ctx.filters, c.createdAt))
    const groups = new Groups<ContactFact>(ctx)
    for (const c of contacts) groups.add(c.source, c.source, null, c)
    return figuresOf(
      groups,
      [
        { key: 'source', label: 'Source', type: 'text' },
        { key: 'contacts', label: 'Contacts', type: 'number' },
        ...LEAD_STATUS_COLUMNS.map((s) => ({
          key: s,
          label: s[0]?.toUpperCase() + s.slice(1),
          type: 'number' as const,
        })),
      ],
      (items, e) => ({
        source: e.group,
        contacts: items.length,
        ...Object.fromEntries(
          LEAD_STATUS_COLUMNS.map((s) => [s, items.filter((c) => c.leadStatus === s).length]),
        ),
      }),
      byText('source'),
    )
  },
}

const leadsConversion: ReportDef = {
  id: 'leads.conversion',
  title: 'Lead conversion',
  family: 'leads',
  chart: { type: 'funnel', x: 'step', series: ['contacts'] },
  description:
    'Contacts (leads), those on at least one deal, and those on at least one won deal (pipeline filter: deals of that pipeline) (period: contact created).',
  needs: ['contacts', 'deals'],
  dealFields: ['contactIds'],
  drill: 'contacts',
  compute(facts, ctx) {
    const contacts = contactsOf(facts, ctx)
      .filter((c) => inPeriod(ctx.filters, c.createdAt))
      .map((c) => c.id)
      .sort()
    const pipelineDeals = facts.deals.filter(
      (d) => ctx.filters.pipelineId === null || d.pipelineId === ctx.filters.pipelineId,
    )
    const onDeal = new Set(pipelineDeals.flatMap((d) => d.contactIds))
    const onWon = new Set(pipelineDeals.filter((d) => d.status === 'won').flatMap((d) => d.contactIds))
    const steps = [
      { key: 'leads', label: 'Leads', ids: contacts },
      { key: 'deal', label: 'On a deal', ids: contacts.filter((id) => onDeal.has(id)) },
      { key: 'won', label: 'On a won deal', ids: contacts.filter((id) => onWon.has(id)) },
    ]
    return {
      columns: [
        { key: 'step', label: 'Step', type: 'text' },
        { key: 'contacts', label: 'Contacts', type: 'number' },
        { key: 'conversion', label: 'Of leads', type: 'percent' },
      ],
      rows: steps.map((s) => ({
        key: s.key,
        label: s.label,
        values: { step: s.label, contacts: s.ids.length, conversion: ratio(s.ids.length, contacts.length) },
      })),
      members: new Map(steps.map((s) => [s.key, s.ids])),
    }
  },
}

const leadsRevenue: ReportDef = {
  id: 'leads.revenueBySource',
  title: 'Revenue by lead source',
  family: 'leads',
  chart: { type: 'pie', x: 'source', series: ['revenue'] },
  description:
    'Won deals by the lead source of their first contact that exists (`none` without one) (period: won, i.e. entered the won stage).',
  needs: ['deals', 'contacts'],
  dealFields: ['contactIds'],
  drill: 'deals',
  contactsOfWonDeals: true,
  compute(facts, ctx) {
    const sources = new Map(facts.contacts.map((c) => [c.id, c.source]))
    const deals = dealsOf(facts, ctx)
      .filter((d) => d.status === 'won' && inPeriod(ctx.filters, d.stageEnteredAt))
      .sort((a, b) => cmp(a.id, b.id))
    const groups = new Groups<DealFact>(ctx)
    for (const d of deals) {
      const contact = d.contactIds.find((id) => sources.has(id))
      const source = contact === undefined ? 'none' : (sources.get(contact) as string)
      groups.add(source, source, moneyOf(ctx, d.amount, d.currency).currency, d)
    }
    return figuresOf(
      groups,
      [
        { key: 'source', label: 'Source', type: 'text' },
        { key: 'deals', label: 'Won deals', type: 'number' },
        { key: 'revenue', label: 'Revenue', type: 'money' },
      ],
      (items, e) => ({ source: e.group, deals: items.length, revenue: sumMoney(ctx, items) }),
      byNumberDesc('revenue'),
    )
  },
}

// ---- service ----

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const

interface WeekItem {
  id: string
  created: boolean
  resolved: boolean
}

const serviceVolume: ReportDef = {
  id: 'service.volume',
  title: 'Tickets created and resolved per week',
  family: 'service',
  chart: { type: 'line', x: 'week', series: ['created', 'resolved'] },
  description: 'Per week (Monday, UTC): tickets created and tickets resolved (period: each on its own time).',
  needs: ['tickets'],
  drill: 'tickets',
  compute(facts, ctx) {
    const groups = new Groups<WeekItem>(ctx)
    const items: Array<{ week: string; item: WeekItem }> = []
    for (const t of ticketsOf(facts, ctx)) {
      if (inPeriod(ctx.filters, t.createdAt))
        items.push({ week: weekOf(t.createdAt), item: { id: t.id, created: true, resolved: false } })
      if (t.status === 'resolved' && t.resolvedAt !== null && inPeriod(ctx.filters, t.resolvedAt))
        items.push({ week: weekOf(t.resolvedAt), item: { id: t.id, created: false, resolved: true } })
    }
    items.sort((a, b) => cmp(a.week, b.week) || cmp(a.item.id, b.item.id))
    for (const { week, item } of items) groups.add(week, week, null, item)
    return figuresOf(
      groups,
      [
        { key: 'week', label: 'Week', type: 'week' },
        { key: 'created', label: 'Created', type: 'number' },
        { key: 'resolved', label: 'Resolved', type: 'number' },
      ],
      (list, e) => ({
        week: e.group,
        created: list.filter((i) => i.created).length,
        resolved: list.filter((i) => i.resolved).length,
      }),
      byText('week'),
    )
  },
}

export const hours = (ms: number | null) => (ms === null ? null : round(ms / HOUR_MS, 2))

const serviceTimes: ReportDef = {
  id: 'service.times',
  title: 'Response and resolution times, SLA, CSAT',
  family: 'service',
  chart: { type: 'table', x: 'priority', series: ['firstResponseMedian', 'resolutionMedian'] },
  description:
    'Per priority and for all: first-response and resolution time in hours (median and p90, nearest rank), SLA compliance (resolved by the due time, of tickets with a due time that were resolved or are overdue) and average CSAT (period: ticket created).',
  needs: ['tickets'],
  drill: 'tickets',
  compute(facts, ctx) {
    const tickets = ticketsOf(facts, ctx)
      .filter((t) => inPeriod(ctx.filters, t.createdAt))
      .sort((a, b) => cmp(a.id, b.id))
    const groups = new Groups<TicketFact>(ctx)
    for (const p of PRIORITIES) groups.ensure(p, p)
    groups.ensure('all', 'All')
    for (const t of tickets) {
      groups.add(t.priority, t.priority, null, t)
      groups.add('all', 'All', null, t)
    }
    return figuresOf(
      groups,
      [
        { key: 'priority', label: 'Priority', type: 'text' },
        { key: 'tickets', label: 'Tickets', type: 'number' },
        { key: 'firstResponseMedian', label: 'First response, median (h)', type: 'number' },
        { key: 'firstResponseP90', label: 'First response, p90 (h)', type: 'number' },
        { key: 'resolutionMedian', label: 'Resolution, median (h)', type: 'number' },
        { key: 'resolutionP90', label: 'Resolution, p90 (h)', type: 'number' },
        { key: 'slaMet', label: 'SLA met', type: 'percent' },
        { key: 'csat', label: 'CSAT average', type: 'number' },
      ],
      (items, e) =>
        ticketTimesRow(
          e.name,
          items.map((t) => ({ ...t, resolvedAt: t.status === 'resolved' ? t.resolvedAt : null })),
          ctx.now,
        ),
    )
  },
}

const serviceBacklog: ReportDef = {
  id: 'service.backlog',
  title: 'Backlog by priority and status',
  family: 'service',
  chart: { type: 'bar', x: 'priority', series: ['new', 'open', 'waiting'] },
  description: 'Unresolved tickets per priority, split by status (period: ticket created).',
  needs: ['tickets'],
  drill: 'tickets',
  compute(facts, ctx) {
    const groups = new Groups<TicketFact>(ctx)
    for (const p of PRIORITIES) groups.ensure(p, p)
    for (const t of ticketsOf(facts, ctx).sort((a, b) => cmp(a.id, b.id)))
      if (t.status !== 'resolved' && inPeriod(ctx.filters, t.createdAt))
        groups.add(t.priority, t.priority, null, t)
    return figuresOf(
      groups,
      [
        { key: 'priority', label: 'Priority', type: 'text' },
        { key: 'new', label: 'New', type: 'number' },
        { key: 'open', label: 'Open', type: 'number' },
        { key: 'waiting', label: 'Waiting', type: 'number' },
        { key: 'total', label: 'Total', type: 'number' },
      ],
      (items, e) => ({
        priority: e.name,
        new: items.filter((t) => t.status === 'new').length,
        open: items.filter((t) => t.status === 'open').length,
        waiting: items.filter((t) => t.status === 'waiting').length,
        total: items.length,
      }),
    )
  },
}

const serviceCsat: ReportDef = {
  id: 'service.csat',
  title: 'CSAT distribution',
  family: 'service',
  chart: { type: 'bar', x: 'score', series: ['tickets'] },
  description:
    'Rated tickets per CSAT score 1–5 and their share (the average is in service.times) (period: ticket created).',
  needs: ['tickets'],
  drill: 'tickets',
  compute(facts, ctx) {
    const groups = new Groups<TicketFact>(ctx)
    for (const score of ['1', '2', '3', '4', '5']) groups.ensure(score, score)
    const rated = ticketsOf(facts, ctx)
      .filter((t) => t.csat !== null && inPeriod(ctx.filters, t.createdAt))
      .sort((a, b) => cmp(a.id, b.id))
    for (const t of rated) groups.add(String(t.csat), String(t.csat), null, t)
    return figuresOf(
      groups,
      [
        { key: 'score', label: 'Score', type: 'text' },
        { key: 'tickets', label: 'Tickets', type: 'number' },
        { key: 'share', label: 'Share', type: 'percent' },
      ],
      (items, e) => ({ score: e.group, tickets: items.length, share: ratio(items.length, rated.length) }),
    )
  },
}

/** At most this many accounts in the per-account tables (the top ones). */
export const TOP_ACCOUNTS = 100

const top = (figures: Figures, n: number): Figures => {
  const rows = figures.rows.slice(0, n)
  return { ...figures, rows, members: new Map(rows.map((r) => [r.key, figures.members.get(r.key) ?? []])) }
}

const serviceByAccount: ReportDef = {
  id: 'service.byAccount',
  title: 'Tickets per account',
  family: 'service',
  chart: { type: 'table', x: 'account', series: ['tickets'] },
  description: `Tickets per account, the ${TOP_ACCOUNTS} accounts with most first (period: ticket created).`,
  needs: ['tickets', 'accounts'],
  drill: 'tickets',
  accountsOf: 'tickets',
  compute(facts, ctx) {
    const names = new Map(facts.accounts.map((a) => [a.id, a.name]))
    const groups = new Groups<TicketFact>(ctx)
    for (const t of ticketsOf(facts, ctx).sort((a, b) => cmp(a.id, b.id))) {
      if (!inPeriod(ctx.filters, t.createdAt)) continue
      const id = t.accountId ?? '-'
      groups.add(id, t.accountId === null ? 'No account' : (names.get(t.accountId) ?? t.accountId), null, t)
    }
    return top(
      figuresOf(
        groups,
        [
          { key: 'account', label: 'Account', type: 'text' },
          { key: 'tickets', label: 'Tickets', type: 'number' },
          { key: 'open', label: 'Unresolved', type: 'number' },
          { key: 'resolved', label: 'Resolved', type: 'number' },
        ],
        (items, e) => ({
          account: e.name,
          tickets: items.length,
          open: items.filter((t) => t.status !== 'resolved').length,
          resolved: items.filter((t) => t.status === 'resolved').length,
        }),
        byNumberDesc('tickets'),
      ),
      TOP_ACCOUNTS,
    )
  },
}

// ---- customers ----

function accountsBy(
  id: string,
  title: string,
  field: 'tier' | 'industry' | 'ownerId',
  label: string,
  chart: ChartType,
): ReportDef {
  return {
    id,
    title,
    family: 'customers',
    chart: { type: chart, x: 'group', series: ['accounts'] },
    description: `Accounts per ${label} (period: account created).`,
    needs: ['accounts'],
    drill: 'accounts',
    compute(facts, ctx) {
      const groups = new Groups<AccountFact>(ctx)
      for (const a of accountsOf(facts, ctx).sort((x, y) => cmp(x.id, y.id))) {
        if (!inPeriod(ctx.filters, a.createdAt)) continue
        const value = a[field]
        const key = value === null || value === '' ? '-' : textKey(value)
        const name =
          field === 'ownerId' ? memberName(ctx, value) : value === null || value === '' ? 'None' : value
        groups.add(key, name, null, a)
      }
      return figuresOf(
        groups,
        [
          { key: 'group', label: label[0]?.toUpperCase() + label.slice(1), type: 'text' },
          { key: 'accounts', label: 'Accounts', type: 'number' },
        ],
        (items, e) => ({ group: e.name, accounts: items.length }),
        byNumberDesc('accounts'),
      )
    },
  }
}

const customersRevenue: ReportDef = {
  id: 'customers.revenue',
  title: 'Revenue per account',
  family: 'customers',
  chart: { type: 'table', x: 'account', series: ['revenue'] },
  description: `Won deals per account, the ${TOP_ACCOUNTS} accounts with most revenue first (period: won, i.e. entered the won stage).`,
  needs: ['deals', 'accounts'],
  dealFields: ['accountId'],
  accountsOf: 'wonDeals',
  drill: 'deals',
  compute(facts, ctx) {
    const names = new Map(facts.accounts.map((a) => [a.id, a.name]))
    const groups = new Groups<DealFact>(ctx)
    for (const d of dealsOf(facts, ctx).sort((a, b) => cmp(a.id, b.id))) {
      if (d.status !== 'won' || !inPeriod(ctx.filters, d.stageEnteredAt)) continue
      const id = d.accountId ?? '-'
      const name = d.accountId === null ? 'No account' : (names.get(d.accountId) ?? d.accountId)
      groups.add(id, name, moneyOf(ctx, d.amount, d.currency).currency, d)
    }
    return top(
      figuresOf(
        groups,
        [
          { key: 'account', label: 'Account', type: 'text' },
          { key: 'deals', label: 'Won deals', type: 'number' },
          { key: 'revenue', label: 'Revenue', type: 'money' },
        ],
        (items, e) => ({ account: e.name, deals: items.length, revenue: sumMoney(ctx, items) }),
        byNumberDesc('revenue'),
      ),
      TOP_ACCOUNTS,
    )
  },
}

const customersHandoffs: ReportDef = {
  id: 'customers.handoffs',
  title: 'Handoffs',
  family: 'customers',
  chart: { type: 'bar', x: 'month', series: ['sent', 'accepted', 'returned'] },
  description:
    'Per month of sending: handoffs sent, of them accepted and returned (their status now), and the average days from sending to acceptance (owner filter: the sender) (period: sent).',
  needs: ['handoffs'],
  drill: 'accounts',
  compute(facts, ctx) {
    const owners = ownerSet(ctx.filters, ctx.members)
    const groups = new Groups<{ id: string; accountId: string; status: string; days: number | null }>(ctx)
    const sent = facts.handoffs
      .filter(
        (h) =>
          h.sentAt !== null &&
          inPeriod(ctx.filters, h.sentAt) &&
          (owners === null || owners.has(h.fromUserId)),
      )
      .sort((a, b) => (a.sentAt as number) - (b.sentAt as number) || cmp(a.id, b.id))
    for (const h of sent) {
      const month = monthOf(h.sentAt as number)
      const days =
        h.status === 'accepted' && h.acceptedAt !== null
          ? (h.acceptedAt - (h.sentAt as number)) / DAY_MS
          : null
      groups.add(month, month, null, { id: h.id, accountId: h.accountId, status: h.status, days })
    }
    return figuresOf(
      groups,
      [
        { key: 'month', label: 'Month', type: 'month' },
        { key: 'sent', label: 'Sent', type: 'number' },
        { key: 'accepted', label: 'Accepted', type: 'number' },
        { key: 'returned', label: 'Returned', type: 'number' },
        { key: 'daysToAccept', label: 'Days to acceptance', type: 'days' },
      ],
      (items, e) => {
        const days = mean(items.flatMap((i) => (i.days === null ? [] : [i.days])))
        return {
          month: e.group,
          sent: items.length,
          accepted: items.filter((i) => i.status === 'accepted').length,
          returned: items.filter((i) => i.status === 'returned').length,
          daysToAccept: days === null ? null : round(days, 2),
        }
      },
      byText('month'),
      (items) => [...new Set(items.map((i) => i.accountId))].sort(),
    )
  },
}

/** Every report, in the order `GET /api/reports` lists them. */
/** A ticket's times as service.times reads them; `resolvedAt` only while the ticket is resolved (else null). */
export interface TicketTimesOf {
  createdAt: number
  firstResponseAt: number | null
  resolvedAt: number | null
  slaDueAt: number | null
  csat: number | null
}

/**
 * One row of service.times over `items` (in id order: the CSAT mean adds in that order): response and resolution
 * median/p90 in hours, SLA met (a resolved ticket by its resolution, an open one once overdue), CSAT average.
 */
export function ticketTimesRow(priority: string, items: readonly TicketTimesOf[], now: number) {
  const first = items.flatMap((t) => (t.firstResponseAt === null ? [] : [t.firstResponseAt - t.createdAt]))
  const resolution = items.flatMap((t) => (t.resolvedAt === null ? [] : [t.resolvedAt - t.createdAt]))
  let met = 0
  let due = 0
  for (const t of items) {
    if (t.slaDueAt === null) continue
    if (t.resolvedAt !== null) {
      due += 1
      if (t.resolvedAt <= t.slaDueAt) met += 1
    } else if (now > t.slaDueAt) due += 1
  }
  const csat = mean(items.flatMap((t) => (t.csat === null ? [] : [t.csat])))
  return {
    priority,
    tickets: items.length,
    firstResponseMedian: hours(percentile(first, 0.5)),
    firstResponseP90: hours(percentile(first, 0.9)),
    resolutionMedian: hours(percentile(resolution, 0.5)),
    resolutionP90: hours(percentile(resolution, 0.9)),
    slaMet: ratio(met, due),
    csat: csat === null ? null : round(csat, 2),
  }
}

export const REPORTS: readonly ReportDef[] = [
  salesPipeline,
  salesForecast,
  salesWinRate,
  salesFunnel,
  salesLostReasons,
  salesLeaderboard,
  leadsBySource,
  leadsConversion,
  leadsRevenue,
  serviceVolume,
  serviceTimes,
  serviceBacklog,
  serviceCsat,
  serviceByAccount,
  accountsBy('customers.byTier', 'Accounts by tier', 'tier', 'tier', 'pie'),
  accountsBy('customers.byIndustry', 'Accounts by industry', 'industry', 'industry', 'bar'),
  accountsBy('customers.byOwner', 'Accounts by owner', 'ownerId', 'owner', 'bar'),
  customersRevenue,
  customersHandoffs,
]

export const reportById = (id: string): ReportDef | undefined => REPORTS.find((r) => r.id === id)
