import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ACCOUNTS,
  Account,
  Activity,
  COLLECTION,
  CONTACTS,
  Contact,
  collectionMap,
  createAccount,
  createContact,
  createDeal,
  createHandoff,
  createTicket,
  DEALS,
  Deal,
  defaultPipelines,
  docName,
  endOfColumn,
  Handoff,
  isLoggedActivity,
  logActivity,
  moveDeal,
  moveTicket,
  type RecordMap,
  readRecords,
  setHandoffStatus,
  TICKETS,
  Ticket,
  updateDeal,
  updateTicket,
  type WorkspaceSettings,
} from '@rapport/model'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { Projection } from '../projection/Projection.ts'
import { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { dropPostgresIndexSchema, openPostgresRecordIndex } from '../recordIndex/postgresRecordIndex.ts'
import type { RecordIndex, StageChange } from '../recordIndex/RecordIndex.ts'
import { openSqliteRecordIndex } from '../recordIndex/sqliteRecordIndex.ts'
import type { AppliedFilters, ReportFacts } from './facts.ts'
import { REPORTS } from './figures.ts'
import { applyFilters } from './filters.ts'
import { contextOf, emptyFacts, factOf, ReportService } from './ReportService.ts'

/*
 * Property (issue #13 §9): random edits through the model's commands on real documents (per-deal, per-ticket,
 * per-contact documents and account rooms), indexed by the real Projection → IndexWorker → SQLite index; then every
 * report through the ReportService (index) equals the same report computed from facts read straight from the
 * documents — the oracle below, which derives the stage history by looking at each deal document after every edit.
 * Both run the same pure figure functions (unit-tested on their own in figures.test.ts): what this checks is that the
 * index holds exactly the documents' facts. About half of the edits are flushed on their own, as people's edits are;
 * the others are coalesced with the next ones into one index batch, as a script's are (a deal moved twice in one batch
 * keeps both stages in its history). The drill-down of the first rows of each report gives the records the figure
 * puts behind them. Fixed seed; RAPPORT_LONG=1 runs 200 cases instead of 12.
 */

const LONG = process.env.RAPPORT_LONG === '1'
const SEED = 20261305
const RUNS = LONG ? 200 : 12
const W = 'ws_prop'
const T0 = Date.UTC(2026, 0, 1)
const NOW = Date.UTC(2026, 5, 15)

const _ids = (n: number) => Array.from({ length: n }, (_, i) => i)
let stageIdCounter = 0
const PIPELINES = defaultPipelines((prefix) => `${prefix}_p${stageIdCounter++}`)
const SETTINGS = (rates: boolean): WorkspaceSettings =>
  ({
    name: 'Prop',
    pipelines: PIPELINES,
    customFields: [],
    currency: { base: 'USD', rates: rates ? { EUR: 1.1 } : {} },
  }) as unknown as WorkspaceSettings
const MEMBERS = [
  { userId: 'usr_a', name: 'Ann', team: 'sales' as const },
  { userId: 'usr_b', name: 'Bob', team: 'sales' as const },
  { userId: 'usr_c', name: 'Cid', team: 'support' as const },
]
const OWNERS = [null, 'usr_a', 'usr_b', 'usr_c']

type Op =
  | {
      t: 'deal'
      pipeline: number
      stage: number
      amount: number
      eur: boolean
      owner: number
      contact: number
      close: number | null
    }
  | { t: 'move'; deal: number; stage: number; reason: string | null; again?: number | null }
  | { t: 'patchDeal'; deal: number; amount: number; owner: number }
  | { t: 'removeDeal'; deal: number }
  | { t: 'contact'; source: number; status: number; owner: number }
  | { t: 'ticket'; priority: number; owner: number; account: number }
  | { t: 'moveTicket'; ticket: number; status: number }
  | { t: 'csat'; ticket: number; csat: number | null }
  | { t: 'account'; tier: number; industry: number; owner: number }
  | { t: 'handoff'; account: number; owner: number }
  | { t: 'handoffStatus'; handoff: number; status: number }
  | { t: 'activity'; account: number; owner: number; type: number; deal: number }

const anyOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    t: fc.constant('deal' as const),
    pipeline: fc.nat(1),
    stage: fc.nat(5),
    amount: fc.integer({ min: 0, max: 5000 }),
    eur: fc.boolean(),
    owner: fc.nat(3),
    contact: fc.nat(5),
    close: fc.option(fc.nat(200), { nil: null }),
  }),
  fc.record({
    t: fc.constant('move' as const),
    deal: fc.nat(30),
    stage: fc.nat(5),
    reason: fc.option(fc.constantFrom('Price', 'Timing', 'Too expensive / no budget'), { nil: null }),
  }),
  fc.record({
    t: fc.constant('move' as const),
    deal: fc.nat(30),
    stage: fc.nat(5),
    reason: fc.constant(null),
    // A second move of the same deal right after (the same index batch unless flushed between).
    again: fc.option(fc.nat(5), { nil: null }),
  }),
  fc.record({
    t: fc.constant('patchDeal' as const),
    deal: fc.nat(30),
    amount: fc.integer({ min: 0, max: 5000 }),
    owner: fc.nat(3),
  }),
  fc.record({ t: fc.constant('removeDeal' as const), deal: fc.nat(30) }),
  fc.record({ t: fc.constant('contact' as const), source: fc.nat(5), status: fc.nat(4), owner: fc.nat(3) }),
  fc.record({ t: fc.constant('ticket' as const), priority: fc.nat(3), owner: fc.nat(3), account: fc.nat(4) }),
  fc.record({ t: fc.constant('moveTicket' as const), ticket: fc.nat(20), status: fc.nat(3) }),
  fc.record({
    t: fc.constant('csat' as const),
    ticket: fc.nat(20),
    csat: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  }),
  fc.record({ t: fc.constant('account' as const), tier: fc.nat(2), industry: fc.nat(2), owner: fc.nat(3) }),
  fc.record({ t: fc.constant('handoff' as const), account: fc.nat(6), owner: fc.nat(2) }),
  fc.record({ t: fc.constant('handoffStatus' as const), handoff: fc.nat(10), status: fc.nat(2) }),
  fc.record({
    t: fc.constant('activity' as const),
    account: fc.nat(6),
    owner: fc.nat(2),
    type: fc.nat(2),
    deal: fc.nat(30),
  }),
)

/** Deals, and moves of them, more often than one kind in fifteen: the sales reports get rows to compare. */
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: anyOp, weight: 3 },
  { arbitrary: anyOp.filter((o) => o.t === 'deal' || o.t === 'move'), weight: 2 },
)

const filters = fc.record({
  period: fc.constantFrom(
    'all' as const,
    'custom' as const,
    'month' as const,
    'quarter' as const,
    'year' as const,
  ),
  from: fc.integer({ min: 0, max: 160 }),
  span: fc.integer({ min: 0, max: 120 }),
  pipeline: fc.nat(2),
  owner: fc.nat(4),
  // No team filter half of the time (a team filter leaves few records).
  team: fc.nat(5),
})

const day = (n: number) => new Date(T0 + n * 86_400_000).toISOString().slice(0, 10)

/** The documents of one run and the oracle's view of them. */
class World {
  readonly docs = new Map<string, Y.Doc>()
  readonly deals: string[] = []
  readonly tickets: string[] = []
  readonly accounts: string[] = []
  readonly handoffs: Array<{ id: string; account: string }> = []
  readonly contacts: string[] = []
  /** The oracle's stage history: each deal document looked at after every edit. */
  readonly history: StageChange[] = []
  private readonly seen = new Map<string, { stage: string; pipelineId: string }>()
  private seq = 0
  clock = T0

  constructor(private readonly projection: Projection) {}

  doc(name: string): Y.Doc {
    let doc = this.docs.get(name)
    if (!doc) {
      doc = new Y.Doc()
      this.docs.set(name, doc)
      this.projection.attach(name, doc)
    }
    return doc
  }
  dealDoc = (dealId: string) => this.doc(docName({ workspaceId: W, kind: 'deal', dealId }))
  ticketDoc = (ticketId: string) => this.doc(docName({ workspaceId: W, kind: 'ticket', ticketId }))
  room = (accountId: string) => this.doc(docName({ workspaceId: W, kind: 'account', accountId }))

  /** After each edit: the stage of every deal as its document holds it now; a change is a history entry. */
  observe(): void {
    for (const id of this.deals) {
      const deal = readRecords(collectionMap(this.dealDoc(id), DEALS), Deal).records.find((d) => d.id === id)
      if (!deal) {
        this.seen.delete(id)
        continue
      }
      const before = this.seen.get(id)
      if (before && before.stage === deal.position.column && before.pipelineId === deal.pipelineId) continue
      this.history.push({
        dealId: id,
        pipelineId: deal.pipelineId,
        fromStage: before ? before.stage : null,
        toStage: deal.position.column,
        at: deal.stageEnteredAt,
        seq: ++this.seq,
      })
      this.seen.set(id, { stage: deal.position.column, pipelineId: deal.pipelineId })
    }
  }

  apply(o: Op): void {
    // 50 edits span about five months: the month, quarter and year periods (of NOW) hold some of them.
    this.clock += 3_600_000 * 70
    const now = this.clock
    const pick = <T>(xs: readonly T[], i: number): T | undefined =>
      xs.length === 0 ? undefined : xs[i % xs.length]
    switch (o.t) {
      case 'deal': {
        const pipeline = PIPELINES[o.pipeline % PIPELINES.length]
        if (!pipeline) return
        const stage = pipeline.stages[o.stage % pipeline.stages.length]
        const id = `deal_${this.deals.length}`
        const contact = pick(this.contacts, o.contact)
        createDeal(
          this.dealDoc(id),
          {
            id,
            pipelineId: pipeline.id,
            title: `Deal ${id}`,
            stageId: stage?.id ?? '',
            amount: o.amount,
            currency: o.eur ? 'EUR' : 'USD',
            ownerId: OWNERS[o.owner] ?? null,
            contactIds: contact ? [contact] : [],
            accountId: pick(this.accounts, o.contact) ?? null,
            expectedCloseDate: o.close === null ? null : day(o.close),
          },
          'test',
          { stages: pipeline.stages, now },
        )
        this.deals.push(id)
        return
      }
      case 'move': {
        const id = pick(this.deals, o.deal)
        if (!id) return
        const doc = this.dealDoc(id)
        const deal = readRecords(collectionMap(doc, DEALS), Deal).records[0]
        if (!deal) return
        const pipeline = PIPELINES.find((p) => p.id === deal.pipelineId)
        const stage = pipeline?.stages[o.stage % pipeline.stages.length]
        if (!pipeline || !stage) return
        moveDeal(doc, id, endOfColumn(collectionMap(doc, DEALS), stage.id), 'test', {
          stages: pipeline.stages,
          lostReason: o.reason,
          now,
        })
        const next =
          o.again === null || o.again === undefined
            ? undefined
            : pipeline.stages[o.again % pipeline.stages.length]
        if (next) {
          this.observe()
          moveDeal(doc, id, endOfColumn(collectionMap(doc, DEALS), next.id), 'test', {
            stages: pipeline.stages,
            now: now + 3_600_000,
          })
        }
        return
      }
      case 'patchDeal': {
        const id = pick(this.deals, o.deal)
        const doc = id ? this.dealDoc(id) : null
        if (!id || !doc || !readRecords(collectionMap(doc, DEALS), Deal).records[0]) return
        updateDeal(doc, id, { amount: o.amount, ownerId: OWNERS[o.owner] ?? null }, 'test', { now })
        return
      }
      case 'removeDeal': {
        const id = pick(this.deals, o.deal)
        if (id) this.dealDoc(id).getMap(COLLECTION.deals).delete(id)
        return
      }
      case 'contact': {
        const id = `con_${this.contacts.length}`
        createContact(
          this.doc(docName({ workspaceId: W, kind: 'contact', contactId: id })),
          {
            id,
            firstName: 'C',
            lastName: id,
            source: (['web', 'referral', 'event', 'outbound', 'import', 'other'] as const)[o.source] ?? 'web',
            leadStatus:
              (['new', 'contacted', 'qualified', 'unqualified', 'customer'] as const)[o.status] ?? 'new',
            ownerId: OWNERS[o.owner] ?? null,
          },
          'test',
          { now },
        )
        this.contacts.push(id)
        return
      }
      case 'ticket': {
        const id = `tkt_${this.tickets.length}`
        createTicket(
          this.ticketDoc(id),
          {
            id,
            subject: `Ticket ${id}`,
            priority: (['low', 'normal', 'high', 'urgent'] as const)[o.priority] ?? 'normal',
            assigneeId: OWNERS[o.owner] ?? null,
            accountId: pick(this.accounts, o.account) ?? null,
          },
          'test',
          { now, sla: { low: sla(600), normal: sla(300), high: sla(120), urgent: sla(30) } },
        )
        this.tickets.push(id)
        return
      }
      case 'moveTicket': {
        const id = pick(this.tickets, o.ticket)
        if (!id) return
        const doc = this.ticketDoc(id)
        const status = (['new', 'open', 'waiting', 'resolved'] as const)[o.status] ?? 'open'
        moveTicket(doc, id, endOfColumn(collectionMap(doc, TICKETS), status), 'test', { now })
        return
      }
      case 'csat': {
        const id = pick(this.tickets, o.ticket)
        if (id) updateTicket(this.ticketDoc(id), id, { csat: o.csat }, 'test', { now })
        return
      }
      case 'account': {
        const id = `acc_${this.accounts.length}`
        createAccount(
          this.room(id),
          {
            id,
            name: `Account ${id}`,
            tier: (['strategic', 'growth', 'standard'] as const)[o.tier] ?? 'standard',
            industry: ['Retail', '', 'Heavy industry & mining'][o.industry] ?? '',
            ownerId: OWNERS[o.owner] ?? null,
          },
          'test',
          { now },
        )
        this.accounts.push(id)
        return
      }
      case 'handoff': {
        const account = pick(this.accounts, o.account)
        if (!account) return
        const created = createHandoff(
          this.room(account),
          { accountId: account, fromUserId: OWNERS[o.owner + 1] ?? 'usr_a', toTeam: 'support' },
          'test',
          { now },
        )
        this.handoffs.push({ id: created.id, account })
        return
      }
      case 'handoffStatus': {
        const h = pick(this.handoffs, o.handoff)
        if (!h) return
        const status = (['sent', 'accepted', 'returned'] as const)[o.status] ?? 'sent'
        try {
          setHandoffStatus(this.room(h.account), h.id, status, 'test', { now, comment: 'Not yet' })
        } catch {
          // A transition the status does not allow: nothing changes.
        }
        return
      }
      case 'activity': {
        const account = pick(this.accounts, o.account)
        if (!account) return
        logActivity(
          this.room(account),
          account,
          OWNERS[o.owner + 1] ?? 'usr_a',
          {
            type: (['call', 'email', 'meeting'] as const)[o.type] ?? 'call',
            at: now - 3_600_000,
            outcome: 'Talked',
            dealId: pick(this.deals, o.deal) ?? null,
          },
          'test',
          { now },
        )
        return
      }
    }
  }

  /** The oracle: every fact read straight from the documents (and the observed stage history). */
  facts(): ReportFacts {
    const facts = emptyFacts()
    const plain = (r: unknown) => r as unknown as Record<string, unknown>
    for (const [name, doc] of this.docs) {
      const kind = name.split('/')[1]
      if (kind === 'deal')
        for (const d of readRecords(collectionMap(doc, DEALS), Deal).records)
          if (!d.archived) facts.deals.push(factOf.deal(plain(d)))
      if (kind === 'ticket')
        for (const t of readRecords(collectionMap(doc, TICKETS), Ticket).records)
          if (!t.archived) facts.tickets.push(factOf.ticket(plain(t)))
      if (kind === 'contact')
        for (const c of readRecords(collectionMap(doc, CONTACTS), Contact).records)
          if (!c.archived) facts.contacts.push(factOf.contact(plain(c)))
      if (kind === 'account') {
        const accountId = name.split('/')[2] as string
        for (const a of readRecords(collectionMap(doc, ACCOUNTS), Account).records)
          if (!a.archived) facts.accounts.push(factOf.account(plain(a)))
        for (const h of readRecords(doc.getMap(COLLECTION.handoffs) as RecordMap, Handoff).records) {
          if (h.archived) continue
          facts.handoffs.push({
            id: h.id,
            accountId,
            dealId: h.dealId,
            status: h.status,
            fromUserId: h.fromUserId,
            toUserId: h.toUserId,
            createdAt: h.createdAt,
            sentAt: h.sentAt,
            acceptedAt: h.acceptedAt,
          })
        }
        for (const a of readRecords(doc.getMap(COLLECTION.timeline) as RecordMap, Activity).records) {
          if (a.archived || !isLoggedActivity(a)) continue
          facts.activities.push({
            id: a.id,
            accountId,
            type: a.type as 'call',
            at: a.at,
            actorId: a.actorId,
            dealId: a.details?.dealId ?? (a.subject.kind === 'deal' ? a.subject.id : null),
          })
        }
      }
    }
    facts.stageHistory = [...this.history]
    return facts
  }
}

const sla = (mins: number) => ({ firstResponseMins: mins, resolutionMins: mins * 4 })

/** A fresh index of each store (PostgreSQL: a schema of its own, dropped after). */
const STORES: Array<{
  name: string
  runs: number
  open: () => Promise<{ index: RecordIndex; dispose(): Promise<void> }>
}> = [
  {
    name: 'SQLite',
    runs: RUNS,
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'rapport-reports-prop-'))
      const index = await openSqliteRecordIndex(join(dir, 'index.sqlite'))
      return { index, dispose: () => rm(dir, { recursive: true, force: true }) }
    },
  },
  {
    name: 'PostgreSQL',
    runs: LONG ? 50 : 4,
    open: async () => {
      const schema = `reports_prop_${process.pid}_${Math.floor(Math.random() * 1e9)}`
      const index = await openPostgresRecordIndex({ schema })
      return { index, dispose: () => dropPostgresIndexSchema(schema) }
    },
  },
]

describe.each(STORES)('reports: figures from the index ($name) equal figures from the documents', (store) => {
  it(
    'after random edits through the model commands (fixed seed)',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(op, fc.boolean()), { minLength: 20, maxLength: LONG ? 120 : 50, size: 'max' }),
          fc.array(filters, { minLength: 1, maxLength: 3 }),
          fc.boolean(),
          async (ops, filterSets, rates) => {
            const { index, dispose } = await store.open()
            const projection = new Projection(silentLogger())
            const world = new World(projection)
            const worker = new IndexWorker({
              index,
              projection,
              logger: silentLogger(),
              docOf: (name) => world.docs.get(name),
            })
            worker.start()
            try {
              for (const [o, flush] of ops) {
                world.apply(o)
                world.observe()
                if (flush) await worker.flush()
              }
              await worker.flush()
              expect(worker.stats().dropped).toBe(0)
              // Every stage change the documents saw, with its time, coalesced or not (a deleted deal's goes with it).
              const entry = (h: StageChange) => [h.dealId, h.pipelineId, h.fromStage, h.toStage, h.at]
              const live = new Set(world.facts().deals.map((d) => d.id))
              const stored = (await index.stageHistory(W)).filter((h) => live.has(h.dealId))
              const seen = world.history
                .filter((h) => live.has(h.dealId))
                .sort((a, b) => (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0))
              expect(stored.map(entry)).toEqual(seen.map(entry))
              const settings = SETTINGS(rates)
              const service = new ReportService({
                index: () => index,
                settings: async () => settings,
                members: () => MEMBERS,
                now: () => NOW,
              })
              const oracle = world.facts()
              for (const f of filterSets) {
                const query = {
                  period: f.period,
                  ...(f.period === 'custom' ? { from: day(f.from), to: day(f.from + f.span) } : {}),
                  pipelineId: f.pipeline < PIPELINES.length ? PIPELINES[f.pipeline]?.id : undefined,
                  ownerId: OWNERS[f.owner] ?? undefined,
                  team: (['sales', 'support', 'success'] as const)[f.team],
                }
                const applied: AppliedFilters = applyFilters(query, NOW)
                const ctx = contextOf(settings, MEMBERS, applied, NOW)
                for (const def of REPORTS) {
                  const fromIndex = await service.report(W, def.id, query)
                  const expected = def.compute(oracle, ctx)
                  expect({ id: def.id, columns: fromIndex.columns, rows: fromIndex.rows }).toEqual({
                    id: def.id,
                    columns: expected.columns,
                    rows: expected.rows,
                  })
                  // Drill-down by the row's key: exactly the records the oracle puts behind each row, and a row the
                  // report does not have is not found.
                  for (const row of expected.rows) {
                    const drill = await service.drill(W, def.id, row.key, { ...query, offset: 0, limit: 200 })
                    const ids = drill.items.map((i) => i.id)
                    expect({ id: def.id, row: row.key, ids }).toEqual({
                      id: def.id,
                      row: row.key,
                      ids: [...(expected.members.get(row.key) ?? [])].sort(),
                    })
                    expect(drill.total).toBe(ids.length)
                    if (ids.length > 1) {
                      const page = await service.drill(W, def.id, row.key, { ...query, offset: 1, limit: 1 })
                      expect(page.items.map((i) => i.id)).toEqual([ids[1]])
                      expect(page.nextOffset).toBe(ids.length > 2 ? 2 : null)
                    }
                  }
                  await expect(
                    service.drill(W, def.id, 'no-such-row~XXX', { ...query, offset: 0, limit: 200 }),
                  ).rejects.toMatchObject({ status: 404 })
                }
              }
            } finally {
              await worker.stop()
              await index.close()
              await dispose()
            }
          },
        ),
        { seed: SEED, numRuns: store.runs },
      )
    },
    LONG ? 1_800_000 : 180_000,
  )
})
