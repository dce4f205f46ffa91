import { idString, type WorkspaceSettings } from '@rapport/model'
import { badRequest, notFound } from '../errors.ts'
import type { RecordIndex } from '../recordIndex/RecordIndex.ts'
import type {
  AccountFact,
  AppliedFilters,
  ContactFact,
  DealFact,
  FactSet,
  ReportContext,
  ReportFacts,
  ReportMember,
  TicketFact,
} from './facts.ts'
import { DEAL_CORE, REPORTS, type ReportDef, reportById } from './figures.ts'
import { applyFilters, type DrillQuery, type ReportQuery } from './filters.ts'
import type { GroupReads } from './sqlFigures.ts'
import { SQL_REPORTS } from './sqlReports.ts'

/*
 * Reports over the record index (issue #13, docs/schema.md "Reports"): reads the compact facts a report needs from the
 * index (`reportRows`: named fields of non-archived records in one query each; stage history, handoffs, activities),
 * then runs the report's pure figure function (figures.ts). Only the caller's workspace is ever read.
 */

/** Records read per `getMany` (at most MAX_PAGE). */
const BY_ID_CHUNK = 5_000

export interface ReportDeps {
  index: () => RecordIndex
  settings: (workspaceId: string) => Promise<WorkspaceSettings>
  members: (workspaceId: string) => ReportMember[]
  now?: () => number
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const numOr = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Fact rows from records as the index (or a document) holds them: the same mapping for both (the property oracle). */
export const factOf = {
  deal: (r: Record<string, unknown>): DealFact => ({
    id: str(r.id),
    title: str(r.title),
    pipelineId: str(r.pipelineId),
    stage: str((r.position as { column?: unknown } | null)?.column),
    status: (r.status === 'won' || r.status === 'lost' ? r.status : 'open') as DealFact['status'],
    amount: numOr(r.amount, 0),
    currency: str(r.currency) || 'USD',
    ownerId: strOrNull(r.ownerId),
    accountId: strOrNull(r.accountId),
    contactIds: Array.isArray(r.contactIds)
      ? r.contactIds.filter((c): c is string => typeof c === 'string')
      : [],
    createdAt: numOr(r.createdAt, 0),
    stageEnteredAt: numOr(r.stageEnteredAt, numOr(r.createdAt, 0)),
    expectedCloseDate: strOrNull(r.expectedCloseDate),
    lostReason: strOrNull(r.lostReason),
  }),
  ticket: (r: Record<string, unknown>): TicketFact => ({
    id: str(r.id),
    subject: str(r.subject),
    status: (str((r.position as { column?: unknown } | null)?.column) || 'new') as TicketFact['status'],
    priority: (str(r.priority) || 'normal') as TicketFact['priority'],
    assigneeId: strOrNull(r.assigneeId),
    accountId: strOrNull(r.accountId),
    createdAt: numOr(r.createdAt, 0),
    firstResponseAt: numOrNull(r.firstResponseAt),
    resolvedAt: numOrNull(r.resolvedAt),
    slaDueAt: numOrNull(r.slaDueAt),
    csat: numOrNull(r.csat),
  }),
  account: (r: Record<string, unknown>): AccountFact => ({
    id: str(r.id),
    name: str(r.name),
    tier: str(r.tier),
    industry: str(r.industry),
    ownerId: strOrNull(r.ownerId),
    createdAt: numOr(r.createdAt, 0),
  }),
  contact: (r: Record<string, unknown>): ContactFact => ({
    id: str(r.id),
    name: `${str(r.firstName)} ${str(r.lastName)}`.trim(),
    source: str(r.source),
    leadStatus: str(r.leadStatus),
    ownerId: strOrNull(r.ownerId),
    createdAt: numOr(r.createdAt, 0),
  }),
}

/** The record fields each fact reads (the columns `reportRows` selects); deals: DEAL_CORE + a report's `dealFields`. */
export const FACT_FIELDS = {
  tickets: [
    'id',
    'position',
    'priority',
    'assigneeId',
    'accountId',
    'createdAt',
    'firstResponseAt',
    'resolvedAt',
    'slaDueAt',
    'csat',
  ],
  // No name: the reports that show names read their accounts by id (`accountsOf`); every field here has a column of
  // its own (no JSON parse).
  accounts: ['id', 'tier', 'industry', 'ownerId', 'createdAt'],
  // The name is the drill-down's label (read there from the record), not a figure's: not read here.
  contacts: ['id', 'source', 'leadStatus', 'ownerId', 'createdAt'],
} as const

export function emptyFacts(): ReportFacts {
  return {
    deals: [],
    tickets: [],
    accounts: [],
    contacts: [],
    stageHistory: [],
    handoffs: [],
    activities: [],
  }
}

/** The context of a report run: filters (pipeline checked), pipelines, currency (null without rates), members. */
export function contextOf(
  settings: WorkspaceSettings,
  members: readonly ReportMember[],
  filters: AppliedFilters,
  now: number,
): ReportContext {
  if (filters.pipelineId !== null && !settings.pipelines.some((p) => p.id === filters.pipelineId))
    throw badRequest(`There is no pipeline ${filters.pipelineId} in this workspace.`, 'invalid_input')
  const hasRates = Object.keys(settings.currency.rates).length > 0
  return {
    filters,
    pipelines: settings.pipelines,
    currency: hasRates ? settings.currency : null,
    members,
    now,
  }
}

export interface ReportAnswer {
  id: string
  title: string
  filters: AppliedFilters
  currency: { base: string | null; converted: boolean }
  columns: ReturnType<ReportDef['compute']>['columns']
  rows: ReturnType<ReportDef['compute']>['rows']
  chart: ReportDef['chart']
  seq: number
  generatedAt: number
}

export interface DrillItem {
  id: string
  label: string
  amount?: number
  currency?: string
  status?: string
  stage?: string
  ownerId?: string | null
  accountId?: string | null
  priority?: string
}

export class ReportService {
  constructor(private readonly deps: ReportDeps) {}

  list() {
    return REPORTS.map((r) => ({
      id: r.id,
      title: r.title,
      family: r.family,
      chart: r.chart.type,
      description: r.description,
    }))
  }

  private definition(id: string): ReportDef {
    const def = reportById(id)
    if (!def) throw notFound(`There is no report ${id}. GET /api/reports lists them.`, 'not_found')
    return def
  }

  /**
   * Reads the facts `needs` names from the index: of deals, DEAL_CORE and `dealFields` only; accounts without names,
   * or — with `accountsOf` — only the accounts the tickets / won deals name, with names; all contacts, or — with
   * `contactsOfWonDeals` — only those the won deals name. Records read by id leave archived ones out, as the full
   * reads do, so a lookup by those ids finds the same.
   */
  async facts(
    workspaceId: string,
    needs: readonly FactSet[],
    options: Pick<ReportDef, 'dealFields' | 'accountsOf' | 'contactsOfWonDeals'> = {},
  ): Promise<ReportFacts> {
    const index = this.deps.index()
    const out = emptyFacts()
    const want = new Set(needs)
    const byIds = async (kind: 'accounts' | 'contacts', refs: ReadonlyArray<string | null>) => {
      const ids = [...new Set(refs)].filter(
        (id): id is string => id !== null && idString.safeParse(id).success,
      )
      const records: Array<Record<string, unknown>> = []
      for (let i = 0; i < ids.length; i += BY_ID_CHUNK)
        for (const { record } of await index.getMany(workspaceId, kind, ids.slice(i, i + BY_ID_CHUNK)))
          if (record.archived !== true) records.push(record)
      return records
    }
    const won = () => out.deals.filter((d) => d.status === 'won')
    if (want.has('deals'))
      out.deals = (
        await index.reportRows(workspaceId, 'deals', [...DEAL_CORE, ...(options.dealFields ?? [])])
      ).map(factOf.deal)
    if (want.has('tickets'))
      out.tickets = (await index.reportRows(workspaceId, 'tickets', FACT_FIELDS.tickets)).map(factOf.ticket)
    if (want.has('accounts')) {
      if (options.accountsOf === 'tickets')
        out.accounts = (
          await byIds(
            'accounts',
            out.tickets.map((t) => t.accountId),
          )
        ).map(factOf.account)
      else if (options.accountsOf === 'wonDeals')
        out.accounts = (
          await byIds(
            'accounts',
            won().map((d) => d.accountId),
          )
        ).map(factOf.account)
      else
        out.accounts = (await index.reportRows(workspaceId, 'accounts', FACT_FIELDS.accounts)).map(
          factOf.account,
        )
    }
    if (want.has('contacts')) {
      if (options.contactsOfWonDeals)
        out.contacts = (
          await byIds(
            'contacts',
            won().flatMap((d) => d.contactIds),
          )
        ).map(factOf.contact)
      else
        out.contacts = (await index.reportRows(workspaceId, 'contacts', FACT_FIELDS.contacts)).map(
          factOf.contact,
        )
    }
    if (want.has('stageHistory')) out.stageHistory = await index.stageHistory(workspaceId)
    if (want.has('handoffs')) out.handoffs = await index.handoffFacts(workspaceId)
    if (want.has('activities')) out.activities = await index.activityFacts(workspaceId)
    return out
  }

  /** The index reads of the reports aggregated in SQL (sqlFigures.ts), for one workspace. */
  private reads(workspaceId: string): GroupReads {
    const index = this.deps.index()
    return {
      groups: (kind, query) => index.reportGroups(workspaceId, kind, query),
      activities: () => index.activityFacts(workspaceId),
      funnel: (query) => index.stageFunnel(workspaceId, query),
      funnelDeals: (query) => index.stageFunnelDeals(workspaceId, query),
      accountNames: async (ids) => {
        const names = new Map<string, string>()
        const valid = [...new Set(ids)].filter((id) => idString.safeParse(id).success)
        for (let i = 0; i < valid.length; i += BY_ID_CHUNK)
          for (const { record } of await index.getMany(
            workspaceId,
            'accounts',
            valid.slice(i, i + BY_ID_CHUNK),
          ))
            if (record.archived !== true) names.set(String(record.id), str(record.name))
        return names
      },
    }
  }

  private async start(workspaceId: string, id: string, query: Omit<ReportQuery, 'format'>) {
    const def = this.definition(id)
    const now = (this.deps.now ?? Date.now)()
    const filters = applyFilters(query, now)
    const settings = await this.deps.settings(workspaceId)
    const ctx = contextOf(settings, this.deps.members(workspaceId), filters, now)
    // The seq first: the figures reflect at least every change up to it.
    const seq = await this.deps.index().lastSeq(workspaceId)
    return { def, ctx, seq, now }
  }

  /** The figures from facts: every report's drill-down, and the rows of those without an SQL aggregate. */
  private async run(workspaceId: string, id: string, query: Omit<ReportQuery, 'format'>) {
    const { def, ctx, seq, now } = await this.start(workspaceId, id, query)
    const facts = await this.facts(workspaceId, def.needs, def)
    return { def, ctx, seq, now, figures: def.compute(facts, ctx) }
  }

  async report(workspaceId: string, id: string, query: Omit<ReportQuery, 'format'>): Promise<ReportAnswer> {
    const sqlFigure = SQL_REPORTS[id]?.figure
    const { def, ctx, seq, now, figures } = sqlFigure
      ? await this.start(workspaceId, id, query).then(async (started) => ({
          ...started,
          figures: await sqlFigure(
            this.reads(workspaceId),
            started.ctx,
            started.def.compute(emptyFacts(), started.ctx).columns,
          ),
        }))
      : await this.run(workspaceId, id, query)
    return {
      id: def.id,
      title: def.title,
      filters: ctx.filters,
      currency: { base: ctx.currency?.base ?? null, converted: ctx.currency !== null },
      columns: figures.columns,
      rows: figures.rows,
      chart: def.chart,
      seq,
      generatedAt: now,
    }
  }

  /** The ids behind one row: asked of the index by the row's key (sqlDrills.ts), else from the figure over facts. */
  private async drillIds(
    workspaceId: string,
    id: string,
    rowKey: string,
    filters: Omit<ReportQuery, 'format'>,
  ) {
    const sqlDrill = SQL_REPORTS[id]?.drill
    if (sqlDrill) {
      const { def, ctx } = await this.start(workspaceId, id, filters)
      return { def, ids: await sqlDrill(this.reads(workspaceId), ctx, rowKey) }
    }
    const { def, figures } = await this.run(workspaceId, id, filters)
    return { def, ids: figures.members.get(rowKey) ?? null }
  }

  async drill(workspaceId: string, id: string, rowKey: string, query: DrillQuery) {
    const { offset, limit, ...filters } = query
    const { def, ids } = await this.drillIds(workspaceId, id, rowKey, filters)
    if (!ids) throw notFound(`Report ${id} has no row ${rowKey} with these filters.`, 'not_found')
    const page = ids.slice(offset, offset + limit)
    const records = await this.deps.index().getMany(workspaceId, def.drill, page)
    const items = records.map(({ record: r }): DrillItem => {
      const base = { id: r.id, accountId: strOrNull(r.accountId) }
      if (def.drill === 'deals') {
        const d = factOf.deal(r)
        return {
          ...base,
          label: d.title,
          amount: d.amount,
          currency: d.currency,
          status: d.status,
          stage: d.stage,
          ownerId: d.ownerId,
        }
      }
      if (def.drill === 'tickets') {
        const t = factOf.ticket(r)
        return { ...base, label: t.subject, status: t.status, priority: t.priority, ownerId: t.assigneeId }
      }
      if (def.drill === 'contacts') {
        const c = factOf.contact(r)
        return { ...base, label: c.name, status: c.leadStatus, ownerId: c.ownerId }
      }
      const a = factOf.account(r)
      return { id: a.id, label: a.name, ownerId: a.ownerId, accountId: a.id }
    })
    const next = offset + page.length
    return { kind: def.drill, items, total: ids.length, nextOffset: next < ids.length ? next : null }
  }
}
