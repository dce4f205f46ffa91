import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../errors.ts'
import { queryRecords } from '../projection/queryRecords.ts'
import type { ProjectedRecord, RecordKind } from '../projection/recordKinds.ts'
import { customFieldFilter } from '../settings/customFieldFilters.ts'
import { duplicateKeysOf, MAX_PER_VALUE, normalizePhone } from './duplicateKeys.ts'
import { type MatchKind, type MatchRule, matchText, ruleKeyOf } from './importKeys.ts'
import { RANKED_MAX } from './kyselyRecordIndex.ts'
import {
  BOARD_ROW_FIELDS,
  customFieldConditions,
  FEED_KEEP_EVENTS,
  FEED_KEEP_MS,
  type ImportMatchRule,
  type IndexBatch,
  type IndexListQuery,
  type RecordChange,
  type RecordIndex,
} from './RecordIndex.ts'

/*
 * One contract for every RecordIndex (sqliteRecordIndex.test.ts, postgresRecordIndex.test.ts): hand-written
 * expectations for each query feature, persistence across reopening, the feed, workspace isolation, bad input, and a
 * seeded property test against the projection's pure `queryRecords`.
 */

/** A store under test: `open` (again after `close`) opens the same store; `dispose` deletes it. */
export interface IndexStore {
  open(): Promise<RecordIndex>
  dispose(): Promise<void>
}

const LONG = process.env.RAPPORT_LONG === '1'
const SEED = 20261204
const NUM_RUNS = LONG ? 500 : 50

const W = 'wsA'
const OTHER = 'wsB'
const T0 = 1_700_000_000_000

// ---- record builders (schema-shaped; the index itself checks only ids, documents and sort-field types) ----

const base = (id: string, n = 0) => ({ id, createdAt: T0 + n, updatedAt: T0 + n, archived: false })

export const account = (id: string, name: string, extra: Record<string, unknown> = {}): ProjectedRecord => ({
  ...base(id),
  name,
  domain: '',
  industry: '',
  size: null,
  tier: 'standard',
  ownerId: null,
  team: 'sales',
  phone: '',
  website: '',
  city: '',
  country: '',
  customFields: {},
  ...extra,
})

export const contact = (id: string, first: string, last: string, extra: Record<string, unknown> = {}) => ({
  ...base(id),
  accountId: null,
  firstName: first,
  lastName: last,
  email: '',
  phone: '',
  title: '',
  leadStatus: 'new',
  source: 'other',
  score: 0,
  ownerId: null,
  customFields: {},
  ...extra,
})

export const deal = (id: string, title: string, extra: Record<string, unknown> = {}) => ({
  ...base(id),
  pipelineId: 'p1',
  title,
  accountId: null,
  contactIds: [],
  amount: 0,
  currency: 'USD',
  ownerId: null,
  expectedCloseDate: null,
  status: 'open',
  lostReason: null,
  position: { column: 'lead', key: 'a0' },
  stageEnteredAt: T0,
  customFields: {},
  ...extra,
})

export const ticket = (id: string, subject: string, extra: Record<string, unknown> = {}) => ({
  ...base(id),
  subject,
  description: '',
  accountId: null,
  contactId: null,
  priority: 'normal',
  position: { column: 'new', key: 'a0' },
  assigneeId: null,
  slaDueAt: null,
  firstResponseAt: null,
  resolvedAt: null,
  csat: null,
  customFields: {},
  ...extra,
})

export const task = (id: string, accountId: string, title: string, extra: Record<string, unknown> = {}) => ({
  ...base(id),
  title,
  done: false,
  assigneeId: null,
  dueDate: null,
  dueAt: null,
  dealId: null,
  contactId: null,
  ticketId: null,
  accountId,
  ...extra,
})

/** A room's sent handoff of deal d1 and a logged call, as `roomFacts` carry them. */
const roomFactsFixture = () => ({
  handoff: {
    id: 'h1',
    dealId: 'd1',
    status: 'sent' as const,
    fromUserId: 'u1',
    toUserId: 'u2',
    createdAt: T0,
    sentAt: T0 + 1,
    acceptedAt: null,
  },
  call: { id: 'act1', type: 'call' as const, at: T0 + 2, actorId: 'u1', dealId: null },
})

const DOC: Record<RecordKind, (ws: string, r: ProjectedRecord) => string> = {
  accounts: (ws) => `${ws}/accounts`,
  contacts: (ws) => `${ws}/contacts`,
  deals: (ws, r) => `${ws}/pipeline/${String(r.pipelineId ?? 'p1')}`,
  tickets: (ws) => `${ws}/support`,
  tasks: (ws, r) => `${ws}/account/${String(r.accountId)}`,
}

export const up = (kind: RecordKind, record: ProjectedRecord, ws = W, doc?: string): RecordChange => ({
  op: 'upsert',
  workspaceId: ws,
  kind,
  id: record.id,
  doc: doc ?? DOC[kind](ws, record),
  record,
})
export const rm = (kind: RecordKind, id: string, ws = W): RecordChange => ({
  op: 'remove',
  workspaceId: ws,
  kind,
  id,
})

const list = (overrides: Partial<IndexListQuery> = {}): IndexListQuery => ({
  offset: 0,
  limit: 100,
  archived: 'false',
  ...overrides,
})
const ids = (page: { items: ProjectedRecord[] }) => page.items.map((r) => r.id)

/** An AppError 400 with a plain message (not a driver error or a TypeError). */
async function rejectsPlainly(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error, 'expected a rejection').not.toBeNull()
  expect(isAppError(error), String(error)).toBe(true)
  expect((error as Error).message).toMatch(pattern)
}

export function recordIndexContract(name: string, makeStore: () => Promise<IndexStore>): void {
  describe(`RecordIndex contract: ${name}`, () => {
    let store: IndexStore | undefined
    let index: RecordIndex

    beforeEach(async () => {
      store = undefined
      index = undefined as unknown as RecordIndex
      store = await makeStore()
      index = await store.open()
    })
    afterEach(async () => {
      // After a failed open (store not reachable) only that failure is reported.
      if (!index) return
      await index.close()
      await store?.dispose()
    })

    const reopen = async () => {
      await index.close()
      index = await (store as IndexStore).open()
    }

    it('boardRows reads what a card needs of every non-archived deal of one pipeline, as list pages do', async () => {
      const d1 = deal('d1', 'One', {
        amount: 1200.5,
        currency: 'EUR',
        accountId: 'a1',
        ownerId: 'u1',
        position: { column: 'demo', key: 'a1' },
      })
      const won = deal('d2', 'Won "it"', { status: 'won', position: { column: 'won', key: 'Zz' } })
      await index.apply({
        records: [
          up('deals', d1),
          up('deals', won),
          up('deals', deal('d3', 'Archived', { archived: true })),
          up('deals', deal('d4', 'Elsewhere', { pipelineId: 'p2' })),
          up('deals', deal('d5', 'Other workspace'), OTHER),
        ],
      })
      const pick = (d: Record<string, unknown>) =>
        Object.fromEntries(BOARD_ROW_FIELDS.map((f) => [f, d[f] ?? null]))
      const byId = (rows: Array<Record<string, unknown>>) =>
        [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)))
      const rows = byId(await index.boardRows(W, 'p1'))
      expect(rows).toEqual([pick(d1), pick(won)])
      const listed = await index.list(W, 'deals', {
        filters: { pipelineId: 'p1' },
        archived: 'false',
        offset: 0,
        limit: 100,
      })
      expect(rows).toEqual(byId(listed.items).map(pick))
      expect(await index.boardRows(W, 'p9')).toEqual([])
      // A field the record lacks reads null.
      const { ownerId: _, ...noOwner } = deal('d6', 'No owner field')
      await index.apply({ records: [up('deals', noOwner as ProjectedRecord)] })
      expect(byId(await index.boardRows(W, 'p1'))[2]).toEqual({ ...pick(noOwner), ownerId: null })
    })

    describe('report facts (issue #13)', () => {
      const moved = (
        d: ProjectedRecord,
        column: string,
        at: number,
        extra: Record<string, unknown> = {},
      ) => ({
        ...d,
        position: { column, key: 'a0' },
        stageEnteredAt: at,
        updatedAt: at,
        ...extra,
      })

      it('keeps every stage change of a deal with its time, one entry at creation, and drops it with the deal', async () => {
        const d1 = deal('d1', 'One')
        await index.apply({
          records: [up('deals', d1), up('deals', deal('d2', 'Two', { pipelineId: 'p2' }))],
        })
        // An upsert that does not change the stage adds nothing; two moves in one batch add two entries in order.
        await index.apply({ records: [up('deals', { ...d1, title: 'One renamed', updatedAt: T0 + 5 })] })
        await index.apply({
          records: [
            up('deals', moved(d1, 'demo', T0 + 10)),
            up('deals', moved(d1, 'won', T0 + 20, { status: 'won' })),
          ],
        })
        const history = await index.stageHistory(W)
        expect(history.map(({ seq: _, ...h }) => h)).toEqual([
          { dealId: 'd1', pipelineId: 'p1', fromStage: null, toStage: 'lead', at: T0 },
          { dealId: 'd1', pipelineId: 'p1', fromStage: 'lead', toStage: 'demo', at: T0 + 10 },
          { dealId: 'd1', pipelineId: 'p1', fromStage: 'demo', toStage: 'won', at: T0 + 20 },
          { dealId: 'd2', pipelineId: 'p2', fromStage: null, toStage: 'lead', at: T0 },
        ])
        const seqs = history.filter((h) => h.dealId === 'd1').map((h) => h.seq)
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
        expect((await index.stageHistory(W, ['d2'])).map((h) => h.dealId)).toEqual(['d2'])
        expect(await index.stageHistory(OTHER)).toEqual([])
        await reopen()
        expect(await index.stageHistory(W)).toHaveLength(4)
        await index.apply({ records: [rm('deals', 'd1')] })
        expect((await index.stageHistory(W)).map((h) => h.dealId)).toEqual(['d2'])
      })

      it('replaces the handoffs and activities of a room, per workspace', async () => {
        const { handoff, call } = roomFactsFixture()
        await index.apply({
          records: [up('accounts', account('a1', 'Acme')), up('accounts', account('a1', 'Theirs'), OTHER)],
          roomFacts: [
            { workspaceId: W, accountId: 'a1', handoffs: [handoff], activities: [call] },
            { workspaceId: OTHER, accountId: 'a1', handoffs: [], activities: [{ ...call, id: 'act9' }] },
          ],
        })
        expect(await index.handoffFacts(W)).toEqual([{ ...handoff, accountId: 'a1' }])
        expect(await index.activityFacts(W)).toEqual([{ ...call, accountId: 'a1' }])
        await index.apply({
          roomFacts: [
            {
              workspaceId: W,
              accountId: 'a1',
              handoffs: [{ ...handoff, status: 'accepted', acceptedAt: T0 + 9 }],
              activities: [],
            },
          ],
        })
        await reopen()
        expect(await index.handoffFacts(W)).toEqual([
          { ...handoff, accountId: 'a1', status: 'accepted', acceptedAt: T0 + 9 },
        ])
        expect(await index.activityFacts(W)).toEqual([])
        expect((await index.activityFacts(OTHER)).map((a) => a.id)).toEqual(['act9'])
        await rejectsPlainly(
          index.apply({
            roomFacts: [
              {
                workspaceId: W,
                accountId: 'a1',
                handoffs: [{ ...handoff, status: 'lost' as 'sent' }],
                activities: [],
              },
            ],
          }),
          /Invalid index batch/,
        )
      })

      it('reads named fields of non-archived records, optionally of some owners only', async () => {
        await index.apply({
          records: [
            up('deals', deal('d1', 'One', { amount: 10, ownerId: 'u1', contactIds: ['c1', 'c2'] })),
            up('deals', deal('d2', 'Two', { amount: 20, ownerId: 'u2' })),
            up('deals', deal('d3', 'Gone', { archived: true })),
            up('deals', deal('d9', 'Theirs'), OTHER),
          ],
        })
        const rows = await index.reportRows(W, 'deals', ['id', 'amount', 'contactIds', 'position', 'nothing'])
        expect(rows.sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual([
          {
            id: 'd1',
            amount: 10,
            contactIds: ['c1', 'c2'],
            position: { column: 'lead', key: 'a0' },
            nothing: null,
          },
          { id: 'd2', amount: 20, contactIds: [], position: { column: 'lead', key: 'a0' }, nothing: null },
        ])
        // Fields with an `f_` column (owner, pipeline, creation time) read the same as those read from the data:
        // a null stays null, a number a number, a text a text.
        const typed = await index.reportRows(W, 'deals', [
          'id',
          'ownerId',
          'pipelineId',
          'createdAt',
          'accountId',
        ])
        expect(typed.sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual([
          { id: 'd1', ownerId: 'u1', pipelineId: 'p1', createdAt: T0, accountId: null },
          { id: 'd2', ownerId: 'u2', pipelineId: 'p1', createdAt: T0, accountId: null },
        ])
        await index.apply({ records: [up('deals', deal('d4', 'Nobody', { ownerId: null }))] })
        const nobody = await index.reportRows(W, 'deals', ['id', 'ownerId', 'amount'])
        expect(nobody.find((r) => r.id === 'd4')).toEqual({ id: 'd4', ownerId: null, amount: 0 })
        await index.apply({ records: [{ op: 'remove', workspaceId: W, kind: 'deals', id: 'd4' }] })
        const mine = await index.reportRows(W, 'deals', ['id'], { ownerField: 'ownerId', owners: ['u2'] })
        expect(mine).toEqual([{ id: 'd2' }])
        await rejectsPlainly(index.reportRows(W, 'deals', ['data; drop table x']), /Invalid report fields/)
      })

      it('aggregates the stage funnel of a pipeline from the stage history of its non-archived deals', async () => {
        const at = (column: string, stageEnteredAt: number, extra: Record<string, unknown> = {}) => ({
          position: { column, key: 'a0' },
          stageEnteredAt,
          ...extra,
        })
        await index.apply({
          records: [
            up('deals', deal('d1', 'Open', at('lead', T0, { ownerId: 'u1' }))),
            up('deals', deal('d2', 'Won', at('lead', T0))),
            up('deals', deal('d3', 'Gone', at('lead', T0, { archived: true }))),
            up('deals', deal('d4', 'Elsewhere', at('lead', T0, { pipelineId: 'p2' }))),
          ],
        })
        await index.apply({
          records: [
            up('deals', deal('d1', 'Open', at('qual', T0 + 100, { ownerId: 'u1' }))),
            up('deals', deal('d2', 'Won', at('qual', T0 + 50, { status: 'won' }))),
          ],
        })
        const funnel = await index.stageFunnel(W, {
          pipelineId: 'p1',
          stageIds: ['lead', 'qual'],
          now: T0 + 1_000,
        })
        expect(funnel.furthest).toEqual([{ stage: 1, deals: 2 }])
        // The deals behind one funnel row (drill-down): those reaching that stage or a later one.
        const funnelQuery = { pipelineId: 'p1', stageIds: ['lead', 'qual', 'demo'], now: T0 + 1_000 }
        expect(await index.stageFunnelDeals(W, { ...funnelQuery, reached: 1 })).toEqual(['d1', 'd2'])
        expect(await index.stageFunnelDeals(W, { ...funnelQuery, reached: 2 })).toEqual([])
        expect(
          await index.stageFunnelDeals(W, {
            ...funnelQuery,
            where: { owners: { field: 'ownerId', ids: ['u1'] } },
          }),
        ).toEqual(['d1'])
        // An open deal's last stay lasts until now; a closed one's has no end.
        expect(
          funnel.stays
            .map((s) => ({ ...s, ms: [...s.ms].sort((a, b) => a - b) }))
            .sort((a, b) => a.stage.localeCompare(b.stage)),
        ).toEqual([
          { stage: 'lead', ms: [50, 100] },
          { stage: 'qual', ms: [900] },
        ])
        const mine = await index.stageFunnel(W, {
          pipelineId: 'p1',
          stageIds: ['lead', 'qual'],
          now: T0 + 1_000,
          where: { owners: { field: 'ownerId', ids: ['u1'] } },
        })
        expect({ ...mine, stays: [...mine.stays].sort((a, b) => a.stage.localeCompare(b.stage)) }).toEqual({
          furthest: [{ stage: 1, deals: 1 }],
          stays: [
            { stage: 'lead', ms: [100] },
            { stage: 'qual', ms: [900] },
          ],
        })
        expect(
          await index.stageFunnel(W, {
            pipelineId: 'p1',
            stageIds: ['lead'],
            now: 0,
            where: { owners: { field: 'ownerId', ids: [] } },
          }),
        ).toEqual({ furthest: [], stays: [] })
        await rejectsPlainly(
          index.stageFunnel(W, { pipelineId: 'p1', stageIds: ['lead'], now: Number.NaN }),
          /Invalid funnel query/,
        )
      })

      it('records the stages a coalesced deal upsert passed through (passedStages), in order, in history and funnel', async () => {
        const at = (column: string, stageEnteredAt: number) => ({
          position: { column, key: 'a0' },
          stageEnteredAt,
        })
        const upsert = (record: ProjectedRecord) =>
          up('deals', record) as Extract<RecordChange, { op: 'upsert' }>
        await index.apply({ records: [up('deals', deal('d1', 'Moved', at('lead', T0)))] })
        // One change: the deal went lead → qual → prop → qual (the repeat of qual is a change too), then to demo.
        await index.apply({
          records: [
            {
              ...upsert(deal('d1', 'Moved', at('demo', T0 + 40))),
              passedStages: [
                { pipelineId: 'p1', stage: 'qual', at: T0 + 10 },
                { pipelineId: 'p1', stage: 'qual', at: T0 + 10 },
                { pipelineId: 'p1', stage: 'prop', at: T0 + 20 },
                { pipelineId: 'p1', stage: 'qual', at: T0 + 30 },
              ],
            },
          ],
        })
        const history = await index.stageHistory(W, ['d1'])
        expect(history.map((h) => [h.fromStage, h.toStage, h.at])).toEqual([
          [null, 'lead', T0],
          ['lead', 'qual', T0 + 10],
          ['qual', 'prop', T0 + 20],
          ['prop', 'qual', T0 + 30],
          ['qual', 'demo', T0 + 40],
        ])
        // The passed stages share the change's seq: the funnel's stays follow their order.
        expect(new Set(history.slice(1).map((h) => h.seq)).size).toBe(1)
        const funnel = await index.stageFunnel(W, {
          pipelineId: 'p1',
          stageIds: ['lead', 'qual', 'prop', 'demo'],
          now: T0 + 100,
        })
        expect(funnel.furthest).toEqual([{ stage: 3, deals: 1 }])
        expect(
          funnel.stays
            .map((s) => ({ ...s, ms: [...s.ms].sort((a, b) => a - b) }))
            .sort((a, b) => a.stage.localeCompare(b.stage)),
        ).toEqual([
          { stage: 'demo', ms: [60] },
          { stage: 'lead', ms: [10] },
          { stage: 'prop', ms: [10] },
          { stage: 'qual', ms: [10, 10] },
        ])
        await rejectsPlainly(
          index.apply({
            records: [
              {
                ...upsert(deal('d1', 'Moved', at('demo', T0 + 40))),
                passedStages: [{ pipelineId: 'p1', stage: 'qual', at: Number.NaN }],
              },
            ],
          }),
          /Invalid index batch/,
        )
      })

      it('aggregates non-archived records per group, with the filters as conditions', async () => {
        await index.apply({
          records: [
            up('deals', deal('d1', 'One', { amount: 10, ownerId: 'u1', contactIds: ['c1', 7, 'c2'] })),
            up('deals', deal('d2', 'Two', { amount: 20.5, ownerId: 'u2', status: 'won', currency: 'EUR' })),
            up(
              'deals',
              deal('d3', 'Three', { amount: true, ownerId: 'u2', status: 'won', contactIds: ['c2'] }),
            ),
            up('deals', deal('d4', 'Gone', { archived: true, contactIds: ['c3'] })),
            up('deals', deal('d5', 'Other', { pipelineId: 'p2', contactIds: ['c3'], createdAt: T0 + 5 })),
            up('deals', deal('d9', 'Theirs', { contactIds: ['c4'] }), OTHER),
            up('contacts', contact('c1', 'A', 'A', { source: 'web' })),
            up('contacts', contact('c2', 'B', 'B', { source: 'web', createdAt: T0 + 10 })),
            up('contacts', contact('c3', 'C', 'C', { source: null })),
            up('contacts', contact('c4', 'D', 'D')),
            up('tickets', ticket('t1', 'One', { position: { column: 'resolved', key: 'a0' }, csat: 4 })),
            up('tickets', ticket('t2', 'Two', { priority: '', position: null })),
          ],
        })
        const byKeys = (groups: Array<{ keys: unknown[] }>) =>
          [...groups].sort((a, b) => JSON.stringify(a.keys).localeCompare(JSON.stringify(b.keys)))
        // Report columns hold the facts (defaults filled in); others read as the record holds them.
        expect(
          byKeys(
            await index.reportGroups(W, 'deals', {
              groupBy: ['status', 'currency', 'ownerId'],
              values: ['amount'],
            }),
          ),
        ).toEqual([
          { keys: ['open', 'USD', 'u1'], count: 1, firstId: 'd1', values: [[10]] },
          { keys: ['open', 'USD', null], count: 1, firstId: 'd5', values: [[0]] },
          { keys: ['won', 'EUR', 'u2'], count: 1, firstId: 'd2', values: [[20.5]] },
          { keys: ['won', 'USD', 'u2'], count: 1, firstId: 'd3', values: [[0]] },
        ])
        expect(
          await index.reportGroups(W, 'deals', {
            groupBy: [],
            where: {
              owners: { field: 'ownerId', ids: ['u2'] },
              equals: [{ field: 'pipelineId', value: 'p1' }],
            },
          }),
        ).toEqual([{ keys: [], count: 2, firstId: 'd2' }])
        // One of several values: a report column (currency) and a filter column (ownerId's JSON).
        expect(
          await index.reportGroups(W, 'deals', {
            groupBy: [],
            where: { equals: [{ field: 'currency', value: ['EUR', 'GBP'] }] },
            values: ['id'],
          }),
        ).toEqual([{ keys: [], count: 1, firstId: 'd2', values: [['d2']] }])
        expect(
          await index.reportGroups(W, 'deals', {
            groupBy: [],
            where: { equals: [{ field: 'accountId', value: ['nobody', 'none'] }] },
          }),
        ).toEqual([])
        expect(
          await index.reportGroups(W, 'deals', {
            groupBy: [],
            where: { owners: { field: 'ownerId', ids: [] } },
          }),
        ).toEqual([])
        expect(
          await index.reportGroups(W, 'deals', {
            groupBy: ['pipelineId'],
            where: { createdAt: { from: T0 + 1, to: null } },
          }),
        ).toEqual([{ keys: ['p2'], count: 1, firstId: 'd5' }])
        expect(
          byKeys(
            await index.reportGroups(W, 'contacts', {
              groupBy: ['source'],
              where: { onDeal: { pipelineId: null, won: false } },
            }),
          ),
        ).toEqual([
          { keys: ['web'], count: 2, firstId: 'c1' },
          { keys: [null], count: 1, firstId: 'c3' },
        ])
        expect(
          await index.reportGroups(W, 'contacts', {
            groupBy: [],
            where: { onDeal: { pipelineId: 'p1', won: true } },
          }),
        ).toEqual([{ keys: [], count: 1, firstId: 'c2' }])
        expect(
          byKeys(await index.reportGroups(W, 'tickets', { groupBy: ['status', 'priority', 'csat'] })),
        ).toEqual([
          { keys: ['new', 'normal', null], count: 1, firstId: 't2' },
          { keys: ['resolved', 'normal', 4], count: 1, firstId: 't1' },
        ])
        await rejectsPlainly(
          index.reportGroups(W, 'deals', { groupBy: ['x; drop table y'] }),
          /Invalid report query/,
        )
        await rejectsPlainly(
          index.reportGroups(W, 'deals', {
            groupBy: [],
            where: { equals: [{ field: 'title', value: 'One' }] },
          }),
          /no filter on title/,
        )
      })
    })

    describe('records', () => {
      it('stores, reads and removes records with the document they live in', async () => {
        const acme = account('a1', 'Acme')
        const changes = await index.apply({
          records: [up('accounts', acme), up('deals', deal('d1', 'Big deal', { pipelineId: 'p2' }))],
        })
        expect(changes.map((c) => [c.kind, c.id, c.op, c.seq])).toEqual([
          ['accounts', 'a1', 'upsert', 1],
          ['deals', 'd1', 'upsert', 2],
        ])
        expect(await index.get(W, 'accounts', 'a1')).toEqual({
          workspaceId: W,
          kind: 'accounts',
          id: 'a1',
          doc: `${W}/accounts`,
          record: acme,
        })
        expect((await index.get(W, 'deals', 'd1'))?.doc).toBe(`${W}/pipeline/p2`)
        expect(await index.get(W, 'deals', 'nope')).toBeNull()
        expect(await index.get(W, 'contacts', 'a1')).toBeNull()
        // An identical upsert changes nothing (no feed event); a removal of nothing neither.
        expect(await index.apply({ records: [up('accounts', acme), rm('contacts', 'zz')] })).toEqual([])
        const removed = await index.apply({ records: [rm('accounts', 'a1')] })
        expect(removed.map((c) => [c.id, c.op, c.seq])).toEqual([['a1', 'remove', 3]])
        expect(await index.get(W, 'accounts', 'a1')).toBeNull()
      })

      it('applies the changes of a batch in order', async () => {
        await index.apply({
          records: [
            up('accounts', account('a1', 'One')),
            rm('accounts', 'a1'),
            up('accounts', account('a1', 'Two')),
          ],
        })
        expect((await index.get(W, 'accounts', 'a1'))?.record.name).toBe('Two')
      })

      it('getMany answers in the order asked, once per id, only what exists', async () => {
        await index.apply({
          records: ['c1', 'c2', 'c3'].map((id) => up('contacts', contact(id, id, id))),
        })
        const many = await index.getMany(W, 'contacts', ['c3', 'x', 'c1', 'c3'])
        expect(many.map((r) => r.id)).toEqual(['c3', 'c1'])
        expect(await index.getMany(W, 'contacts', [])).toEqual([])
      })

      it('docRecords lists the records of one document (a deal belongs to its document, not its pipelineId)', async () => {
        await index.apply({
          records: [
            up('deals', deal('d1', 'A', { pipelineId: 'p1' })),
            up('deals', deal('d2', 'B', { pipelineId: 'p2' })),
            // A deal whose pipelineId disagrees with its document.
            up('deals', deal('d3', 'C', { pipelineId: 'p2' }), W, `${W}/pipeline/p1`),
          ],
        })
        const p1 = await index.docRecords(W, 'deals', `${W}/pipeline/p1`)
        expect(p1.map((r) => r.id).sort()).toEqual(['d1', 'd3'])
        // Moving a record to another document moves it.
        await index.apply({ records: [up('deals', deal('d3', 'C', { pipelineId: 'p2' }))] })
        expect((await index.docRecords(W, 'deals', `${W}/pipeline/p1`)).map((r) => r.id)).toEqual(['d1'])
        expect((await index.docRecords(W, 'deals', `${W}/pipeline/p2`)).map((r) => r.id).sort()).toEqual([
          'd2',
          'd3',
        ])
      })

      it('reports row counts', async () => {
        await index.apply({
          records: [up('accounts', account('a1', 'Acme')), up('tasks', task('t1', 'a1', 'Call'))],
          notes: [{ workspaceId: W, accountId: 'a1', text: 'hello' }],
          docStates: [{ doc: `${W}/accounts`, stateVector: new Uint8Array([1]) }],
        })
        await index.apply({ records: [up('contacts', contact('c1', 'x', 'y'), OTHER)] })
        const all = await index.stats()
        expect(all.records).toEqual({ accounts: 1, contacts: 1, deals: 0, tickets: 0, tasks: 1 })
        expect(all).toMatchObject({ search: 3, notes: 1, docStates: 1, feed: 3 })
        const mine = await index.stats(W)
        expect(mine.records.contacts).toBe(0)
        expect(mine).toMatchObject({ search: 2, notes: 1, docStates: 1, feed: 2 })
      })
    })

    describe('list', () => {
      beforeEach(async () => {
        await index.apply({
          records: [
            up('deals', deal('d1', 'Apple', { amount: 500, accountId: 'a1', ownerId: 'u1' })),
            up(
              'deals',
              deal('d2', 'banana', { amount: 50, position: { column: 'won', key: 'a0' }, status: 'won' }),
            ),
            up(
              'deals',
              deal('d3', 'Éclair', { amount: 500, accountId: 'a2', expectedCloseDate: '2026-01-02' }),
            ),
            up('deals', deal('d4', 'apple', { amount: 7.5, archived: true, accountId: 'a1' })),
            up('deals', deal('d5', 'item 10', { amount: 0, ownerId: 'u1', expectedCloseDate: '2025-12-31' })),
            up('deals', deal('d6', 'item 9', { amount: 1000, pipelineId: 'p2' })),
          ],
        })
      })

      it('pages by id when unsorted, with total and next offset', async () => {
        expect(ids(await index.list(W, 'deals', list()))).toEqual(['d1', 'd2', 'd3', 'd5', 'd6'])
        const first = await index.list(W, 'deals', list({ limit: 2 }))
        expect(first).toMatchObject({ total: 5, nextOffset: 2 })
        expect(ids(first)).toEqual(['d1', 'd2'])
        const last = await index.list(W, 'deals', list({ offset: 4, limit: 2 }))
        expect(ids(last)).toEqual(['d6'])
        expect(last.nextOffset).toBeNull()
        const beyond = await index.list(W, 'deals', list({ offset: 10 }))
        expect(beyond).toEqual({ items: [], total: 5, nextOffset: null })
      })

      it('archived: false, true, all', async () => {
        expect(ids(await index.list(W, 'deals', list({ archived: 'true' })))).toEqual(['d4'])
        expect((await index.list(W, 'deals', list({ archived: 'all' }))).total).toBe(6)
      })

      it('equality filters: fields, null, stage, status, dotted paths, numbers', async () => {
        const f = async (filters: IndexListQuery['filters'], archived: IndexListQuery['archived'] = 'all') =>
          ids(await index.list(W, 'deals', list({ filters, archived })))
        expect(await f({ accountId: 'a1' })).toEqual(['d1', 'd4'])
        expect(await f({ accountId: null })).toEqual(['d2', 'd5', 'd6'])
        expect(await f({ accountId: 'a1', ownerId: 'u1' })).toEqual(['d1'])
        expect(await f({ accountId: undefined, ownerId: 'u1' })).toEqual(['d1', 'd5'])
        expect(await f({ stage: 'won' })).toEqual(['d2'])
        expect(await f({ stageId: 'lead', pipelineId: 'p2' })).toEqual(['d6'])
        expect(await f({ status: 'won' })).toEqual(['d2'])
        expect(await f({ 'position.column': 'won' })).toEqual(['d2'])
        expect(await f({ amount: 500 })).toEqual(['d1', 'd3'])
        // Strict equality: the text '500' is not the number 500, and a field no deal has matches nothing.
        expect(await f({ amount: '500' })).toEqual([])
        expect(await f({ team: null })).toEqual([])
        expect(await f({ archived: true })).toEqual(['d4'])
        expect(await f({ expectedCloseDate: '2026-01-02' })).toEqual(['d3'])
      })

      it('status of a record without a status field reads its board column (tickets)', async () => {
        await index.apply({
          records: [
            up('tickets', ticket('t1', 'Broken', { position: { column: 'open', key: 'a0' } })),
            up('tickets', ticket('t2', 'Slow')),
            up('accounts', account('a1', 'Acme')),
          ],
        })
        expect(ids(await index.list(W, 'tickets', list({ filters: { status: 'open' } })))).toEqual(['t1'])
        expect(ids(await index.list(W, 'tickets', list({ filters: { stage: 'new' } })))).toEqual(['t2'])
        // Accounts have neither a status nor a position.
        expect((await index.list(W, 'accounts', list({ filters: { status: 'open' } }))).total).toBe(0)
        expect((await index.list(W, 'accounts', list({ filters: { status: null } }))).total).toBe(0)
      })

      it('sorts text like compareValues: case and accents ignored, digits by value, ties by id', async () => {
        expect(ids(await index.list(W, 'deals', list({ sort: 'title', archived: 'all' })))).toEqual([
          'd1',
          'd4',
          'd2',
          'd3',
          'd6',
          'd5',
        ])
        expect(ids(await index.list(W, 'deals', list({ sort: '-title', archived: 'all' })))).toEqual([
          'd5',
          'd6',
          'd3',
          'd2',
          'd1',
          'd4',
        ])
      })

      it('sorts numbers natively and nulls last (first when descending)', async () => {
        expect(ids(await index.list(W, 'deals', list({ sort: 'amount' })))).toEqual([
          'd5',
          'd2',
          'd1',
          'd3',
          'd6',
        ])
        expect(ids(await index.list(W, 'deals', list({ sort: '-amount' })))).toEqual([
          'd6',
          'd1',
          'd3',
          'd2',
          'd5',
        ])
        expect(ids(await index.list(W, 'deals', list({ sort: 'expectedCloseDate' })))).toEqual([
          'd5',
          'd3',
          'd1',
          'd2',
          'd6',
        ])
        expect(ids(await index.list(W, 'deals', list({ sort: '-expectedCloseDate' })))).toEqual([
          'd1',
          'd2',
          'd6',
          'd3',
          'd5',
        ])
      })

      it('sorts and filters together, paging a sorted list', async () => {
        const page = await index.list(
          W,
          'deals',
          list({ sort: '-amount', filters: { pipelineId: 'p1' }, limit: 2 }),
        )
        expect(ids(page)).toEqual(['d1', 'd3'])
        expect(page).toMatchObject({ total: 4, nextOffset: 2 })
        const rest = await index.list(
          W,
          'deals',
          list({ sort: '-amount', filters: { pipelineId: 'p1' }, offset: 2 }),
        )
        expect(ids(rest)).toEqual(['d2', 'd5'])
      })

      it('refuses a sort it cannot answer, in plain words', async () => {
        await rejectsPlainly(
          index.list(W, 'deals', list({ sort: 'lostReason' })),
          /cannot be sorted by lostReason/,
        )
      })

      it('sorts by the account name, kept current on rename, removal and late accounts', async () => {
        const byAccount = async (sort = 'accountName') => ids(await index.list(W, 'deals', list({ sort })))
        await index.apply({
          records: [up('accounts', account('a1', 'Zeta')), up('accounts', account('a2', 'alpha'))],
        })
        expect(await byAccount()).toEqual(['d3', 'd1', 'd2', 'd5', 'd6'])
        expect(await byAccount('-accountName')).toEqual(['d2', 'd5', 'd6', 'd1', 'd3'])
        await index.apply({ records: [up('accounts', account('a2', 'Zulu'))] })
        expect(await byAccount()).toEqual(['d1', 'd3', 'd2', 'd5', 'd6'])
        // Another field of the account changes: the order stays.
        await index.apply({ records: [up('accounts', account('a2', 'Zulu', { city: 'Oslo' }))] })
        expect(await byAccount()).toEqual(['d1', 'd3', 'd2', 'd5', 'd6'])
        await index.apply({ records: [rm('accounts', 'a1')] })
        expect(await byAccount()).toEqual(['d3', 'd1', 'd2', 'd5', 'd6'])
        // A deal indexed before its account, and a contact and its account in one batch.
        await index.apply({ records: [up('deals', deal('d7', 'late', { accountId: 'a3' }))] })
        expect((await byAccount()).at(0)).toBe('d3')
        await index.apply({
          records: [
            up('contacts', contact('c1', 'x', 'y', { accountId: 'a3' })),
            up('accounts', account('a3', 'Beta')),
            up('contacts', contact('c2', 'x', 'z', { accountId: 'a1' })),
          ],
        })
        expect(await byAccount()).toEqual(['d7', 'd3', 'd1', 'd2', 'd5', 'd6'])
        expect(ids(await index.list(W, 'contacts', list({ sort: 'accountName' })))).toEqual(['c1', 'c2'])
        // Accounts themselves are not sorted by an account name.
        await rejectsPlainly(
          index.list(W, 'accounts', list({ sort: 'accountName' })),
          /accounts cannot be sorted by accountName/,
        )
      })

      it('sorts by owner and assignee as the members are named; unnamed members and none last', async () => {
        await index.apply({
          records: [
            up('deals', deal('d6', 'item 9', { amount: 1000, pipelineId: 'p2', ownerId: 'u2' })),
            up('deals', deal('d2', 'banana', { ownerId: 'u3' })),
            up('tickets', ticket('t1', 'one', { assigneeId: 'u1' })),
            up('tickets', ticket('t2', 'two', { assigneeId: 'u2' })),
          ],
        })
        const memberNames = { u1: 'Zed', u2: 'amy' }
        const sorted = async (sort: string, names: Record<string, string> = memberNames) =>
          ids(await index.list(W, 'deals', list({ sort, memberNames: names })))
        expect(await sorted('owner')).toEqual(['d6', 'd1', 'd5', 'd2', 'd3'])
        expect(await sorted('-owner')).toEqual(['d2', 'd3', 'd1', 'd5', 'd6'])
        // Nobody named: every record ties, id order.
        expect(await sorted('owner', {})).toEqual(['d1', 'd2', 'd3', 'd5', 'd6'])
        expect(ids(await index.list(W, 'tickets', list({ sort: 'assignee', memberNames })))).toEqual([
          't2',
          't1',
        ])
        await rejectsPlainly(
          index.list(W, 'deals', list({ sort: 'assignee', memberNames })),
          /deals cannot be sorted by assignee/,
        )
      })

      it('sorts by the fields lists show: team, size, title, source, status', async () => {
        await index.apply({
          records: [
            up('accounts', account('a1', 'A', { team: 'support', size: '11-50' })),
            up('accounts', account('a2', 'B', { team: 'sales', size: '201-1000' })),
            up('accounts', account('a3', 'C', { team: 'sales', size: null })),
            up('contacts', contact('c1', 'a', 'a', { title: 'VP 10', source: 'web' })),
            up('contacts', contact('c2', 'b', 'b', { title: 'vp 9', source: 'event' })),
            up('tickets', ticket('t1', 'x', { position: { column: 'open', key: 'a0' } })),
            up('tickets', ticket('t2', 'y')),
          ],
        })
        const sorted = async (kind: RecordKind, sort: string) =>
          ids(await index.list(W, kind, list({ sort })))
        expect(await sorted('accounts', 'team')).toEqual(['a2', 'a3', 'a1'])
        expect(await sorted('accounts', 'size')).toEqual(['a1', 'a2', 'a3'])
        expect(await sorted('contacts', 'title')).toEqual(['c2', 'c1'])
        expect(await sorted('contacts', 'source')).toEqual(['c2', 'c1'])
        expect(await sorted('tickets', 'status')).toEqual(['t2', 't1'])
        expect(await sorted('deals', 'status')).toEqual(['d1', 'd3', 'd5', 'd6', 'd2'])
      })

      it('sorts by a custom field as its definition says: numbers, text, member names; empty last', async () => {
        await index.apply({
          records: [
            up(
              'contacts',
              contact('c1', 'a', 'a', {
                customFields: { n: 10, t: 'b', vip: true, tags: ['y'], who: 'u1', day: '2025-10-01' },
              }),
            ),
            up(
              'contacts',
              contact('c2', 'b', 'b', {
                customFields: { n: 9, t: 'B2', vip: false, tags: ['x', 'z'], who: 'u2', day: '2025-9-30' },
              }),
            ),
            up(
              'contacts',
              contact('c3', 'c', 'c', { customFields: { n: 'oops', t: '', tags: [], who: null } }),
            ),
            up('contacts', contact('c4', 'd', 'd')),
          ],
        })
        const sorted = async (sort: string, customSort?: IndexListQuery['customSort']) =>
          ids(
            await index.list(
              W,
              'contacts',
              list({ sort, customSort, memberNames: { u1: 'Zed', u2: 'amy' } }),
            ),
          )
        expect(await sorted('cf.n', 'number')).toEqual(['c2', 'c1', 'c3', 'c4'])
        expect(await sorted('-cf.n', 'number')).toEqual(['c3', 'c4', 'c1', 'c2'])
        // A value of another type than the definition's counts as empty.
        expect(await sorted('cf.n', 'text')).toEqual(['c3', 'c1', 'c2', 'c4'])
        expect(await sorted('cf.t')).toEqual(['c1', 'c2', 'c3', 'c4'])
        expect(await sorted('cf.vip', 'number')).toEqual(['c2', 'c1', 'c3', 'c4'])
        expect(await sorted('cf.tags', 'text')).toEqual(['c2', 'c1', 'c3', 'c4'])
        expect(await sorted('cf.who', 'member')).toEqual(['c2', 'c1', 'c3', 'c4'])
        expect(await sorted('cf.day', 'text')).toEqual(['c2', 'c1', 'c3', 'c4'])
        expect(await sorted('cf.none-such', 'number')).toEqual(['c1', 'c2', 'c3', 'c4'])
        // Sorted twice (the field's index exists by now), and with a filter and a page.
        const page = await index.list(
          W,
          'contacts',
          list({ sort: '-cf.n', customSort: 'number', customFields: [{ fieldId: 'vip', text: 'true' }] }),
        )
        expect(ids(page)).toEqual(['c1'])
        await rejectsPlainly(index.list(W, 'contacts', list({ sort: 'cf.bad id' })), /not a field name/)
        await rejectsPlainly(index.list(W, 'tasks', list({ sort: 'cf.n' })), /tasks cannot be sorted by cf.n/)
      })

      it('custom-field filters as data, as customFieldFilter reads the query string', async () => {
        await index.apply({
          records: [
            up(
              'contacts',
              contact('c1', 'a', 'a', {
                customFields: { color: 'red', size: 5, vip: true, tags: ['x', 'y'] },
              }),
            ),
            up(
              'contacts',
              contact('c2', 'b', 'b', { customFields: { color: '', size: 5.5, vip: false, tags: [] } }),
            ),
            up('contacts', contact('c3', 'c', 'c', { customFields: { color: null, size: 0, tags: ['y'] } })),
            up('contacts', contact('c4', 'd', 'd')),
          ],
        })
        const cf = async (query: Record<string, string>) =>
          ids(await index.list(W, 'contacts', list({ customFields: customFieldConditions(query) })))
        expect(await cf({ 'cf.color': 'red' })).toEqual(['c1'])
        expect(await cf({ 'cf.color': '' })).toEqual(['c2', 'c3', 'c4'])
        expect(await cf({ 'cf.size': '5' })).toEqual(['c1'])
        expect(await cf({ 'cf.size': '5.5' })).toEqual(['c2'])
        expect(await cf({ 'cf.size': '5.50' })).toEqual([])
        expect(await cf({ 'cf.size': '0' })).toEqual(['c3'])
        expect(await cf({ 'cf.size': '' })).toEqual(['c4'])
        expect(await cf({ 'cf.vip': 'true' })).toEqual(['c1'])
        expect(await cf({ 'cf.vip': 'false' })).toEqual(['c2'])
        expect(await cf({ 'cf.tags': 'y' })).toEqual(['c1', 'c3'])
        expect(await cf({ 'cf.tags': '' })).toEqual(['c2', 'c4'])
        expect(await cf({ 'cf.tags': 'y', 'cf.vip': 'true' })).toEqual(['c1'])
        expect(await cf({ 'cf.missing': 'x' })).toEqual([])
        expect(await cf({ 'cf.we"ird\\id': '' })).toEqual(['c1', 'c2', 'c3', 'c4'])
        expect(() => customFieldConditions({ 'cf.': 'x' })).toThrow(/cf.<field id>=<value>/)
      })

      it('a text query restricts to matching records, relevance first, archived never matched', async () => {
        await index.apply({
          records: [
            up('tickets', ticket('t1', 'Printer jammed', { description: 'the office printer' })),
            up('tickets', ticket('t2', 'Login fails', { description: 'printer driver too' })),
            up('tickets', ticket('t3', 'Printer old', { archived: true })),
            up('tickets', ticket('t4', 'Nothing here')),
          ],
        })
        const page = await index.list(W, 'tickets', list({ q: 'print' }))
        expect(page.total).toBe(2)
        // A title match ranks above a description match.
        expect(ids(page)).toEqual(['t1', 't2'])
        expect(ids(await index.list(W, 'tickets', list({ q: 'print', sort: '-subject' })))).toEqual([
          't1',
          't2',
        ])
        expect((await index.list(W, 'tickets', list({ q: 'print', archived: 'true' }))).total).toBe(0)
        // Pages: the second match alone, then past the end (the total still counted).
        const second = await index.list(W, 'tickets', list({ q: 'print', limit: 1, offset: 1 }))
        expect([ids(second), second.total, second.nextOffset]).toEqual([['t2'], 2, null])
        const past = await index.list(W, 'tickets', list({ q: 'print', offset: 2 }))
        expect([ids(past), past.total, past.nextOffset]).toEqual([[], 2, null])
        expect((await index.list(W, 'tickets', list({ q: 'zebra', offset: 10 }))).total).toBe(0)
        expect(ids(await index.list(W, 'tickets', list({ q: 'printer office' })))).toEqual(['t1'])
        expect(ids(await index.list(W, 'tickets', list({ q: 'zebra' })))).toEqual([])
        expect(ids(await index.list(W, 'tickets', list({ q: '  ' })))).toEqual(['t1', 't2', 't4'])
        // Only this kind: a deal titled "Printer" does not show among tickets.
        await index.apply({ records: [up('deals', deal('dp', 'Printer deal'))] })
        expect((await index.list(W, 'tickets', list({ q: 'printer' }))).total).toBe(2)
        expect(ids(await index.list(W, 'deals', list({ q: 'printer' })))).toEqual(['dp'])
      })
    })

    describe('search', () => {
      beforeEach(async () => {
        await index.apply({
          records: [
            up('accounts', account('a1', 'Acme Globex', { domain: 'acme.com', city: 'Berlin' })),
            up('accounts', account('a2', 'Umbrella', { industry: 'acme supplies' })),
            up('accounts', account('a3', 'Acme Archived', { archived: true })),
            up(
              'contacts',
              contact('c1', 'Ann', 'Lee', { accountId: 'a1', email: 'ann@acme.com', title: 'CTO' }),
            ),
            up('deals', deal('d1', 'Acme renewal', { accountId: 'a1', amount: 1200, currency: 'EUR' })),
            up(
              'tickets',
              ticket('t1', 'Crash on save', { accountId: 'a2', priority: 'high', description: 'acme' }),
            ),
            up('tasks', task('k1', 'a1', 'Acme call')),
          ],
          notes: [{ workspaceId: W, accountId: 'a2', text: 'Met the Acme people.\nSecond line' }],
        })
      })

      it('finds every word, the last ones as prefixes, best first, with what a hit shows', async () => {
        const hits = await index.search(W, 'acme')
        // Tasks are not searched; archived records are not either.
        expect(hits.map((h) => `${h.kind}:${h.id}`).sort()).toEqual([
          'accounts:a1',
          'accounts:a2',
          'contacts:c1',
          'deals:d1',
          'notes:a2',
          'tickets:t1',
        ])
        // Title matches first.
        expect(
          hits
            .slice(0, 2)
            .map((h) => h.id)
            .sort(),
        ).toEqual(['a1', 'd1'])
        expect(hits.find((h) => h.id === 'a1')).toMatchObject({
          kind: 'accounts',
          title: 'Acme Globex',
          subtitle: 'acme.com · Berlin',
          accountId: 'a1',
        })
        expect(hits.find((h) => h.kind === 'contacts')).toMatchObject({
          title: 'Ann Lee',
          subtitle: 'CTO · ann@acme.com',
          accountId: 'a1',
        })
        expect(hits.find((h) => h.kind === 'deals')).toMatchObject({ subtitle: '1200 EUR', accountId: 'a1' })
        expect(hits.find((h) => h.kind === 'tickets')).toMatchObject({
          subtitle: 'high · new',
          accountId: 'a2',
        })
        expect(hits.find((h) => h.kind === 'notes')).toMatchObject({
          id: 'a2',
          accountId: 'a2',
          title: 'Notes — Umbrella',
          subtitle: 'Met the Acme people.\nSecond line',
        })
        for (const hit of hits) expect(typeof hit.score).toBe('number')
        expect(hits[0]?.score).toBeGreaterThanOrEqual(hits.at(-1)?.score ?? 0)
      })

      it('prefixes from two letters, exact single letters, all words required, case-insensitive', async () => {
        expect((await index.search(W, 'glo')).map((h) => h.id)).toEqual(['a1'])
        expect((await index.search(W, 'ACME glo')).map((h) => h.id)).toEqual(['a1'])
        expect((await index.search(W, 'acme zebra')).map((h) => h.id)).toEqual([])
        expect((await index.search(W, 'g')).map((h) => h.id)).toEqual([])
        expect((await index.search(W, 'be')).map((h) => h.id)).toEqual(['a1'])
        // Punctuation separates words: an email's parts are words.
        expect((await index.search(W, 'ann@acme')).map((h) => h.id)).toEqual(['c1'])
        expect(await index.search(W, '   ')).toEqual([])
        expect(await index.search(W, '!!!')).toEqual([])
      })

      it('exact words fill the page before prefixes are tried (SearchIndex tiers)', async () => {
        await index.apply({ records: [up('accounts', account('a9', 'Acmeco'))] })
        expect((await index.search(W, 'acme', { limit: 100 })).some((h) => h.id === 'a9')).toBe(true)
        const few = await index.search(W, 'acme', { limit: 2 })
        expect(few).toHaveLength(2)
        expect(few.some((h) => h.id === 'a9')).toBe(false)
      })

      it('kinds and limit', async () => {
        expect(
          (await index.search(W, 'acme', { kinds: ['contacts', 'notes'] })).map((h) => h.kind).sort(),
        ).toEqual(['contacts', 'notes'])
        expect(await index.search(W, 'acme', { limit: 1 })).toHaveLength(1)
      })

      it('past RANKED_MAX matches hits come newest first with score 0; up to it, by relevance', async () => {
        const common = (i: number) =>
          up('contacts', { ...contact(`m${String(i).padStart(4, '0')}`, 'Zed', 'Common'), updatedAt: T0 + i })
        await index.apply({ records: Array.from({ length: RANKED_MAX }, (_, i) => common(i)) })
        // RANKED_MAX matches: ranked (all tie on relevance here, so by id), scores above 0.
        const ranked = await index.search(W, 'common', { limit: 3 })
        expect(ranked.map((h) => h.id)).toEqual(['m0000', 'm0001', 'm0002'])
        for (const hit of ranked) expect(hit.score).toBeGreaterThan(0)
        // A list's text query orders the same way (relevance, then id), sorted or not.
        expect(ids(await index.list(W, 'contacts', list({ q: 'common', limit: 3 })))).toEqual([
          'm0000',
          'm0001',
          'm0002',
        ])
        expect(
          ids(await index.list(W, 'contacts', list({ q: 'common', sort: '-lastName', limit: 2, offset: 1 }))),
        ).toEqual(['m0001', 'm0002'])
        // One more: newest first, score 0 (the exact tier, and again as a prefix).
        await index.apply({ records: [common(RANKED_MAX)] })
        for (const q of ['common', 'commo']) {
          const newest = await index.search(W, q, { limit: 3 })
          expect(newest.map((h) => h.id)).toEqual(['m1000', 'm0999', 'm0998'])
          for (const hit of newest) expect(hit.score).toBe(0)
        }
        // A list's text query still counts every match, and orders them newest first too (ties on its sort).
        expect((await index.list(W, 'contacts', list({ q: 'common', limit: 1 }))).total).toBe(RANKED_MAX + 1)
        expect(ids(await index.list(W, 'contacts', list({ q: 'common', limit: 3 })))).toEqual([
          'm1000',
          'm0999',
          'm0998',
        ])
        expect(
          ids(await index.list(W, 'contacts', list({ q: 'common', sort: 'lastName', limit: 2, offset: 1 }))),
        ).toEqual(['m0999', 'm0998'])
        // A page past the end: no items, the total still counted.
        expect(await index.list(W, 'contacts', list({ q: 'common', offset: RANKED_MAX + 5 }))).toEqual({
          items: [],
          total: RANKED_MAX + 1,
          nextOffset: null,
        })
      })

      it('follows updates, archiving, removal and notes', async () => {
        await index.apply({ records: [up('accounts', account('a1', 'Initech', { domain: 'acme.com' }))] })
        expect((await index.search(W, 'globex')).map((h) => h.id)).toEqual([])
        expect((await index.search(W, 'initech')).map((h) => h.id)).toEqual(['a1'])
        await index.apply({ records: [up('accounts', account('a1', 'Initech', { archived: true }))] })
        expect(await index.search(W, 'initech')).toEqual([])
        await index.apply({ records: [up('accounts', account('a1', 'Initech'))] })
        expect((await index.search(W, 'initech')).map((h) => h.id)).toEqual(['a1'])
        await index.apply({ records: [rm('accounts', 'a1')] })
        expect(await index.search(W, 'initech')).toEqual([])
        // Renaming an account retitles its notes; empty notes leave the search.
        await index.apply({ records: [up('accounts', account('a2', 'Umbrella Corp'))] })
        expect((await index.search(W, 'people', { kinds: ['notes'] }))[0]?.title).toBe(
          'Notes — Umbrella Corp',
        )
        await index.apply({ notes: [{ workspaceId: W, accountId: 'a2', text: '' }] })
        expect(await index.search(W, 'people')).toEqual([])
        // A room whose account the index does not hold (deleted for good) has no searchable notes.
        await index.apply({ notes: [{ workspaceId: W, accountId: 'zz', text: 'orphan words' }] })
        expect(await index.search(W, 'orphan')).toEqual([])
      })

      it('takes a deleted account’s note text and report facts out, and indexes none for its room after', async () => {
        const { handoff, call } = roomFactsFixture()
        const facts = { workspaceId: W, accountId: 'a1', handoffs: [handoff], activities: [call] }
        await index.apply({
          records: [up('accounts', account('a1', 'Acme')), up('accounts', account('a2', 'Kept'))],
          notes: [
            { workspaceId: W, accountId: 'a1', text: 'renewal words' },
            { workspaceId: W, accountId: 'a2', text: 'renewal kept' },
          ],
          roomFacts: [facts, { ...facts, accountId: 'a2' }],
        })
        expect((await index.search(W, 'renewal', { kinds: ['notes'] })).map((h) => h.id).sort()).toEqual([
          'a1',
          'a2',
        ])
        expect(await index.handoffFacts(W)).toHaveLength(2)
        await index.apply({ records: [rm('accounts', 'a1')] })
        expect((await index.search(W, 'renewal', { kinds: ['notes'] })).map((h) => h.id)).toEqual(['a2'])
        expect((await index.handoffFacts(W)).map((h) => h.accountId)).toEqual(['a2'])
        expect((await index.activityFacts(W)).map((a) => a.accountId)).toEqual(['a2'])
        // The room lives on: later edits of its notes or timeline stay out of search and reports.
        await index.apply({
          notes: [{ workspaceId: W, accountId: 'a1', text: 'renewal again' }],
          roomFacts: [facts],
        })
        expect((await index.search(W, 'renewal', { kinds: ['notes'] })).map((h) => h.id)).toEqual(['a2'])
        expect((await index.handoffFacts(W)).map((h) => h.accountId)).toEqual(['a2'])
      })
    })

    describe('tasks', () => {
      const DAY = 86_400_000
      beforeEach(async () => {
        await index.apply({
          records: [
            up('accounts', account('a1', 'Acme')),
            up('accounts', account('a2', 'Gone', { archived: true })),
            up('tasks', task('k1', 'a1', 'due late', { dueAt: T0 + 3 * DAY, assigneeId: 'me' })),
            up('tasks', task('k2', 'a1', 'due date', { dueDate: '2023-11-15', assigneeId: 'u2' })),
            up('tasks', task('k3', 'a1', 'no due', { assigneeId: 'me' })),
            up('tasks', { ...task('k4', 'a1', 'done old', { done: true, dueAt: T0 }), updatedAt: T0 - DAY }),
            up('tasks', task('k5', 'a2', 'archived account', { dueAt: T0 })),
            up('tasks', task('k6', 'a1', 'archived task', { archived: true })),
            up('tasks', { ...task('k7', 'a1', 'no due, older', { assigneeId: 'me' }), createdAt: T0 - 5 }),
            up('tasks', task('k8', 'a9', 'no account row', { dueAt: T0 + 1 })),
          ],
        })
      })
      const q = (query: Record<string, unknown>) => ({
        status: 'all' as const,
        archived: 'false' as const,
        limit: 200,
        ...query,
      })

      it('orders by due time (none last), then creation, then id, with account names', async () => {
        const result = await index.tasks(W, q({}), 'me')
        expect(result.items.map((t) => t.id)).toEqual(['k4', 'k8', 'k2', 'k1', 'k7', 'k3'])
        expect(result.total).toBe(6)
        expect(result.items[0]).toMatchObject({
          id: 'k4',
          accountId: 'a1',
          accountName: 'Acme',
          title: 'done old',
        })
        expect(result.items.find((t) => t.id === 'k8')?.accountName).toBeNull()
      })

      it('filters by assignee, status, due time and recent completion; archived modes', async () => {
        const t = async (query: Record<string, unknown>) =>
          (await index.tasks(W, q(query), 'me')).items.map((x) => x.id)
        expect(await t({ assignee: 'me' })).toEqual(['k1', 'k7', 'k3'])
        expect(await t({ assignee: 'u2' })).toEqual(['k2'])
        expect(await t({ assignee: 'none' })).toEqual(['k4', 'k8'])
        expect(await t({ status: 'done' })).toEqual(['k4'])
        expect(await t({ status: 'open', dueBefore: T0 + 2 * DAY })).toEqual(['k8', 'k2'])
        expect(await t({ doneSince: T0 })).toEqual(['k8', 'k2', 'k1', 'k7', 'k3'])
        expect(await t({ archived: 'all' })).toEqual(['k4', 'k5', 'k8', 'k2', 'k1', 'k7', 'k3', 'k6'])
        expect(await t({ archived: 'true' })).toEqual(['k6'])
        expect(await t({ accountId: 'a2', archived: 'all' })).toEqual(['k5'])
        const limited = await index.tasks(W, q({ limit: 2 }), 'me')
        expect(limited.items.map((x) => x.id)).toEqual(['k4', 'k8'])
        expect(limited.total).toBe(6)
      })
    })

    describe('documents, feed and persistence', () => {
      it('keeps document state vectors', async () => {
        await index.apply({
          docStates: [
            { doc: `${W}/accounts`, stateVector: new Uint8Array([1, 2, 3]) },
            { doc: `${W}/contacts`, stateVector: new Uint8Array([]) },
          ],
        })
        await index.apply({ docStates: [{ doc: `${W}/accounts`, stateVector: new Uint8Array([4, 5]) }] })
        expect(await index.docState(`${W}/accounts`)).toEqual(new Uint8Array([4, 5]))
        expect(await index.docState(`${W}/nothing`)).toBeNull()
        const states = await index.docStates([`${W}/accounts`, `${W}/contacts`, `${W}/x`])
        expect([...states.keys()].sort()).toEqual([`${W}/accounts`, `${W}/contacts`])
        expect(states.get(`${W}/contacts`)).toEqual(new Uint8Array([]))
      })

      it('keeps the last vector of a document named twice in one batch, over more than one statement', async () => {
        // Written 200 rows per statement: 450 documents, the last of them twice (in the same statement).
        const many = Array.from({ length: 450 }, (_, i) => ({
          doc: `${W}/contact/c${i}`,
          stateVector: new Uint8Array([i % 256, 1]),
        }))
        await index.apply({
          docStates: [...many, { doc: `${W}/contact/c449`, stateVector: new Uint8Array([7, 7]) }],
        })
        const states = await index.docStates(many.map((m) => m.doc))
        expect(states.size).toBe(450)
        expect(states.get(`${W}/contact/c449`)).toEqual(new Uint8Array([7, 7]))
        expect(states.get(`${W}/contact/c0`)).toEqual(new Uint8Array([0, 1]))
      })

      it('keeps rows, search, doc states and seqs across close and reopen', async () => {
        await index.apply({
          records: [up('accounts', account('a1', 'Acme')), up('contacts', contact('c1', 'Ann', 'Lee'))],
          notes: [{ workspaceId: W, accountId: 'a1', text: 'remember this' }],
          docStates: [{ doc: `${W}/accounts`, stateVector: new Uint8Array([9]) }],
        })
        await index.apply({ records: [up('accounts', account('a2', 'Other'), OTHER)] })
        await reopen()
        expect((await index.get(W, 'accounts', 'a1'))?.record).toEqual(account('a1', 'Acme'))
        expect((await index.search(W, 'remember')).map((h) => h.kind)).toEqual(['notes'])
        expect(await index.docState(`${W}/accounts`)).toEqual(new Uint8Array([9]))
        expect(await index.lastSeq(W)).toBe(2)
        expect(await index.lastSeq(OTHER)).toBe(1)
        const next = await index.apply({ records: [rm('contacts', 'c1')] })
        expect(next.map((c) => c.seq)).toEqual([3])
        await reopen()
        const feed = await index.feedSince(W, 0)
        expect(feed !== 'gap' && feed.changes.map((c) => [c.seq, c.kind, c.id, c.op])).toEqual([
          [1, 'accounts', 'a1', 'upsert'],
          [2, 'contacts', 'c1', 'upsert'],
          [3, 'contacts', 'c1', 'remove'],
        ])
      })

      it('seqs are per workspace and increase by one per change', async () => {
        const a = await index.apply({
          records: [
            up('accounts', account('a1', 'x')),
            up('accounts', account('b1', 'x'), OTHER),
            up('accounts', account('a2', 'x')),
          ],
          at: T0,
        })
        expect(a.map((c) => [c.workspaceId, c.seq, c.at])).toEqual([
          [W, 1, T0],
          [OTHER, 1, T0],
          [W, 2, T0],
        ])
        expect(await index.lastSeq(W)).toBe(2)
        expect(await index.lastSeq('nobody')).toBe(0)
      })

      it('feedSince pages, and says gap once events were pruned', async () => {
        const now = Date.now()
        await index.apply({ records: [up('accounts', account('a1', 'x'))], at: now - FEED_KEEP_MS - 1000 })
        await index.apply({ records: [up('accounts', account('a2', 'x'))], at: now })
        const page = await index.feedSince(W, 0, 1)
        expect(page !== 'gap' && page.changes.map((c) => c.seq)).toEqual([1])
        expect(await index.feedSince(W, 2)).toEqual({ changes: [] })
        expect(await index.feedSince(W, 5)).toBe('gap')
        // Kept: the last FEED_KEEP_EVENTS events, and any younger than FEED_KEEP_MS.
        await index.prune(now)
        expect(await index.feedSince(W, 0)).not.toBe('gap')
        const many = Array.from({ length: FEED_KEEP_EVENTS }, (_, i) => up('tasks', task(`k${i}`, 'a1', 'x')))
        for (let i = 0; i < many.length; i += 5_000)
          await index.apply({ records: many.slice(i, i + 5_000), at: now })
        // Event 1 is old and beyond the count: gone; event 2 is beyond the count but young: kept.
        expect(await index.feedSince(W, 0)).toBe('gap')
        const young = await index.feedSince(W, 1, 2)
        expect(young !== 'gap' && young.changes.map((c) => c.seq)).toEqual([2, 3])
        await index.prune(now + FEED_KEEP_MS + 1)
        expect(await index.feedSince(W, 1)).toBe('gap')
        const kept = await index.feedSince(W, 2, 3)
        expect(kept !== 'gap' && kept.changes.map((c) => c.seq)).toEqual([3, 4, 5])
        expect((await index.stats(W)).feed).toBe(FEED_KEEP_EVENTS)
      }, 120_000)
      it('prunes the oldest events first: a young event keeps the older ones after it, no event is skipped', async () => {
        const now = Date.now()
        // Event 1 is young, event 2 was written with an old time (a clock set back), then the count is passed.
        await index.apply({ records: [up('accounts', account('a1', 'x'))], at: now })
        await index.apply({ records: [up('accounts', account('a2', 'x'))], at: now - FEED_KEEP_MS - 1000 })
        const many = Array.from({ length: FEED_KEEP_EVENTS }, (_, i) => up('tasks', task(`k${i}`, 'a1', 'x')))
        for (let i = 0; i < many.length; i += 5_000)
          await index.apply({ records: many.slice(i, i + 5_000), at: now })
        await index.prune(now)
        // Event 2 stays while event 1 does: a reader from 0 gets 1, 2, 3 — not 1 then 3.
        const page = await index.feedSince(W, 0, 3)
        expect(page !== 'gap' && page.changes.map((c) => c.seq)).toEqual([1, 2, 3])
        await index.prune(now + FEED_KEEP_MS + 1)
        expect(await index.feedSince(W, 0)).toBe('gap')
        const kept = await index.feedSince(W, 2, 1)
        expect(kept !== 'gap' && kept.changes.map((c) => c.seq)).toEqual([3])
      }, 120_000)
    })

    describe('duplicate keys', () => {
      const keys = (kind: 'accounts' | 'contacts', r: ProjectedRecord) => duplicateKeysOf(kind, r)
      const matches = async (kind: 'accounts' | 'contacts', r: ProjectedRecord, ws = W) =>
        (await index.duplicateMatches(ws, kind, keys(kind, r)))
          .map((m) => [m.id, [...m.types].sort()])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0])))

      it('finds records by normalized keys, follows updates, archives and removes, per workspace', async () => {
        await index.apply({
          records: [
            up(
              'contacts',
              contact('c1', 'Ada', 'Lovelace', { email: 'Ada@Example.org', phone: '+44 20 7946 0958' }),
            ),
            up('contacts', contact('c2', 'Lovelace', 'ada', { phone: '020 7946 0958' })),
            up('contacts', contact('c3', 'Ada', 'Lovelace'), OTHER),
            up('accounts', account('a1', 'Acme, Inc.', { website: 'https://www.acme.example/x' })),
          ],
        })
        const probe = contact('new', 'ADA', 'lovelace', { email: ' ada@example.org' })
        expect(await matches('contacts', probe)).toEqual([
          ['c1', ['domain', 'email', 'name']],
          ['c2', ['name']],
        ])
        expect(await matches('accounts', account('x', 'acme', { domain: 'ACME.example' }))).toEqual([
          ['a1', ['domain', 'name']],
        ])
        expect(
          (await index.duplicatePairs(W, 'contacts')).map((p) => [p.a, p.b, [...p.types].sort()]),
        ).toEqual([['c1', 'c2', ['name', 'phone']]])
        await index.apply({
          records: [
            up('contacts', contact('c1', 'Grace', 'Hopper', { email: 'ada@example.org' })),
            up('contacts', { ...contact('c2', 'Ada', 'Lovelace'), archived: true }),
          ],
        })
        expect(await matches('contacts', probe)).toEqual([['c1', ['domain', 'email']]])
        expect(await index.duplicatePairs(W, 'contacts')).toEqual([])
        await index.apply({ records: [rm('contacts', 'c1')] })
        expect(await matches('contacts', probe)).toEqual([])
        expect(await matches('contacts', probe, OTHER)).toEqual([['c3', ['name']]])
        await reopen()
        expect(await matches('contacts', probe, OTHER)).toEqual([['c3', ['name']]])
      })
    })

    describe('duplicate evidence cap', () => {
      it('a value held by more than MAX_PER_VALUE records is no evidence; one held by MAX_PER_VALUE is', async () => {
        // A switchboard number or a shared inbox says nothing about two records being one: the create-time check and
        // the pairs list weigh evidence, and every record on such a value would pair with every other. An import's
        // rule is not evidence and has no cap (`importMatches`, below).
        const staff = (prefix: string, n: number, phone: string) =>
          Array.from({ length: n }, (_, i) =>
            up(
              'contacts',
              contact(`${prefix}${String(i).padStart(2, '0')}`, `First${prefix}${i}`, 'X', { phone }),
            ),
          )
        await index.apply({
          records: [
            ...staff('k', MAX_PER_VALUE, '+1 555 0100 001'),
            ...staff('z', MAX_PER_VALUE + 1, '+1 555 0100 002'),
          ],
        })
        const byPhone = async (phone: string) =>
          (await index.duplicateMatches(W, 'contacts', [{ type: 'phone', value: normalizePhone(phone) }]))
            .length
        expect(await byPhone('+1 555 0100 001')).toBe(MAX_PER_VALUE)
        expect(await byPhone('+1 555 0100 002')).toBe(0)
        const pairs = await index.duplicatePairs(W, 'contacts')
        expect(pairs).toHaveLength((MAX_PER_VALUE * (MAX_PER_VALUE - 1)) / 2)
        expect(pairs.every((p) => p.a.startsWith('k') && p.b.startsWith('k'))).toBe(true)
      })
    })

    describe('import match keys (issue #14)', () => {
      const found = async (
        kind: MatchKind,
        rule: ImportMatchRule,
        keys: readonly string[],
        ws = W,
      ): Promise<Array<[string, string]>> =>
        (await index.importMatches(ws, kind, rule, keys))
          .map((m): [string, string] => [m.key, m.id])
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      // The row side of every lookup below is the same function the stored keys are computed with.
      const key = (kind: MatchKind, rule: MatchRule, r: Record<string, unknown>) => ruleKeyOf(kind, rule, r)

      it('finds the records of each rule by the rule key of a row, however the value is written', async () => {
        await index.apply({
          records: [
            up('accounts', account('a1', 'Acme, Inc.', { domain: 'https://www.Acme.com/about' })),
            // A domain without a dot: no duplicate key (normalizeDomain), but the import rule matches it.
            up('accounts', account('a2', '  Initech ', { domain: 'INITECH' })),
            up('contacts', contact('c1', 'Ada', 'Lovelace', { email: ' Ada@Example.org' })),
            up('contacts', contact('c2', 'Grace', '', { email: 'not-an-email' })),
            up('deals', deal('d1', 'Big Renewal')),
            up('tickets', ticket('t1', 'Printer on fire')),
          ],
        })
        expect(
          await found('accounts', { on: 'domain' }, [
            key('accounts', 'domain', { domain: 'acme.com' }),
            key('accounts', 'domain', { domain: 'Initech' }),
            key('accounts', 'domain', { domain: 'globex.com' }),
          ]),
        ).toEqual([
          ['acme.com', 'a1'],
          ['initech', 'a2'],
        ])
        expect(
          await found('accounts', { on: 'name' }, [key('accounts', 'name', { name: 'INITECH' })]),
        ).toEqual([['initech', 'a2']])
        expect(
          await found('contacts', { on: 'email' }, [
            key('contacts', 'email', { email: 'ada@example.ORG ' }),
            key('contacts', 'email', { email: 'NOT-an-email' }),
          ]),
        ).toEqual([
          ['ada@example.org', 'c1'],
          ['not-an-email', 'c2'],
        ])
        expect(
          await found('contacts', { on: 'name' }, [
            key('contacts', 'name', { firstName: 'ADA', lastName: 'lovelace' }),
            key('contacts', 'name', { firstName: 'Grace' }),
          ]),
        ).toEqual([
          ['ada lovelace', 'c1'],
          ['grace', 'c2'],
        ])
        expect(
          await found('deals', { on: 'name' }, [key('deals', 'name', { title: 'big renewal' })]),
        ).toEqual([['big renewal', 'd1']])
        expect(
          await found('tickets', { on: 'name' }, [key('tickets', 'name', { subject: 'PRINTER ON FIRE' })]),
        ).toEqual([['printer on fire', 't1']])
        // Keys of one kind are not another's.
        expect(await found('contacts', { on: 'name' }, ['big renewal'])).toEqual([])
      })

      it('answers the smallest id of a key shared by many records (no cap), and follows changes', async () => {
        const shared = Array.from({ length: 60 }, (_, i) =>
          account(`s${String(i).padStart(2, '0')}`, `Shop ${i}`, { domain: 'shops.example' }),
        )
        const long = `${'x'.repeat(400)}@example.org`
        await index.apply({
          records: [
            ...shared.map((r) => up('accounts', r)),
            up('contacts', contact('c1', 'Long', 'Mail', { email: long })),
            up('accounts', account('a9', 'Acme', { domain: 'acme.com' }), OTHER),
          ],
        })
        expect(await found('accounts', { on: 'domain' }, ['shops.example'])).toEqual([
          ['shops.example', 's00'],
        ])
        expect(await found('contacts', { on: 'email' }, [long])).toEqual([[long, 'c1']])
        expect(await found('contacts', { on: 'email' }, [`${'x'.repeat(401)}@example.org`])).toEqual([])
        expect(await found('accounts', { on: 'domain' }, ['acme.com'])).toEqual([])
        expect(await found('accounts', { on: 'domain' }, ['acme.com'], OTHER)).toEqual([['acme.com', 'a9']])
        await index.apply({
          records: [
            up('accounts', { ...(shared[0] as ProjectedRecord), archived: true }),
            rm('accounts', 's01'),
            up('accounts', { ...(shared[2] as ProjectedRecord), domain: 'elsewhere.example' }),
          ],
        })
        expect(await found('accounts', { on: 'domain' }, ['shops.example', 'elsewhere.example'])).toEqual([
          ['elsewhere.example', 's02'],
          ['shops.example', 's03'],
        ])
        await reopen()
        expect(await found('accounts', { on: 'domain' }, ['shops.example'])).toEqual([
          ['shops.example', 's03'],
        ])
      })

      it('matches a chosen field or custom field by its matchText, on non-archived records only', async () => {
        await index.apply({
          records: [
            up(
              'accounts',
              account('a1', 'One', { city: ' Paris ', customFields: { tier: 'Gold', seats: 12 } }),
            ),
            up('accounts', account('a2', 'Two', { city: 'PARIS', customFields: { vip: true } })),
            up('accounts', account('a3', 'Three', { city: 'Zürich', customFields: { tier: 'gold ' } })),
            up('accounts', { ...account('a4', 'Four', { city: 'Berlin' }), archived: true }),
            up('contacts', contact('c1', 'Ada', 'Lovelace', { score: 42 })),
          ],
        })
        const city = { on: 'field', field: 'city' } as const
        expect(
          await found('accounts', city, [
            matchText('paris'),
            matchText('ZÜRICH'),
            matchText('berlin'),
            'oslo',
          ]),
        ).toEqual([
          ['paris', 'a1'],
          ['zürich', 'a3'],
        ])
        expect(await found('contacts', { on: 'field', field: 'score' }, [matchText(42)])).toEqual([
          ['42', 'c1'],
        ])
        expect(await found('accounts', { on: 'customField', fieldId: 'tier' }, [matchText('GOLD')])).toEqual([
          ['gold', 'a1'],
        ])
        expect(await found('accounts', { on: 'customField', fieldId: 'seats' }, [matchText(12)])).toEqual([
          ['12', 'a1'],
        ])
        expect(await found('accounts', { on: 'customField', fieldId: 'vip' }, [matchText(true)])).toEqual([
          ['true', 'a2'],
        ])
        expect(await found('accounts', { on: 'customField', fieldId: 'missing' }, ['gold'])).toEqual([])
      })

      it('refuses a bad rule or key list in plain words', async () => {
        await rejectsPlainly(
          index.importMatches(W, 'accounts', { on: 'field', field: 'city) or (1=1' }, ['x']),
          /import match/i,
        )
        await rejectsPlainly(
          index.importMatches(W, 'accounts', { on: 'customField', fieldId: "a'b" }, ['x']),
          /import match/i,
        )
        await rejectsPlainly(
          index.importMatches(W, 'tasks' as MatchKind, { on: 'name' }, ['x']),
          /import match/i,
        )
      })
    })

    describe('isolation and bad input', () => {
      it('answers nothing of workspace A to workspace B', async () => {
        await index.apply({
          records: [
            up('accounts', account('a1', 'Secret Acme')),
            up('deals', deal('d1', 'Secret deal')),
            up('tasks', task('k1', 'a1', 'Secret task')),
          ],
          notes: [{ workspaceId: W, accountId: 'a1', text: 'secret notes' }],
        })
        await index.apply({ records: [up('accounts', account('a1', 'Visible'), OTHER)] })
        expect((await index.get(OTHER, 'accounts', 'a1'))?.record.name).toBe('Visible')
        expect(await index.get(OTHER, 'deals', 'd1')).toBeNull()
        expect(await index.getMany(OTHER, 'deals', ['d1'])).toEqual([])
        expect(await index.docRecords(OTHER, 'deals', `${W}/pipeline/p1`)).toEqual([])
        expect((await index.list(OTHER, 'deals', list({ archived: 'all' }))).total).toBe(0)
        expect(await index.search(OTHER, 'secret')).toEqual([])
        expect((await index.list(OTHER, 'accounts', list({ q: 'secret' }))).total).toBe(0)
        expect((await index.tasks(OTHER, { status: 'all', archived: 'all', limit: 10 }, 'u')).total).toBe(0)
        const feed = await index.feedSince(OTHER, 0)
        expect(feed !== 'gap' && feed.changes.map((c) => c.id)).toEqual(['a1'])
        // A record is never filed under another workspace's document.
        await rejectsPlainly(
          index.apply({ records: [up('accounts', account('x', 'x'), OTHER, `${W}/accounts`)] }),
          /not in its workspace/,
        )
      })

      it('rejects malformed and oversized input in plain words, and stays usable', async () => {
        const bad: Array<[unknown, RegExp]> = [
          [
            {
              records: [
                {
                  op: 'upsert',
                  workspaceId: W,
                  kind: 'planets',
                  id: 'x',
                  doc: `${W}/x`,
                  record: { id: 'x' },
                },
              ],
            },
            /Invalid index batch/,
          ],
          [
            {
              records: [
                {
                  op: 'upsert',
                  workspaceId: 'bad/ws',
                  kind: 'accounts',
                  id: 'x',
                  doc: 'bad/ws/x',
                  record: { id: 'x' },
                },
              ],
            },
            /workspace id/,
          ],
          [
            { records: [up('accounts', account('a1', 'x'), W)].map((c) => ({ ...c, id: 'other' })) },
            /carries another id/,
          ],
          [{ records: [up('accounts', account('a1', 'x', { name: 42 }))] }, /name must be text/],
          [{ records: [up('deals', deal('d1', 'x', { amount: 'lots' }))] }, /amount must be a number/],
          [
            { records: [up('accounts', account('a1', 'x', { blob: 'x'.repeat(300_000) }))] },
            /larger than 256 KB/,
          ],
          [
            { records: Array.from({ length: 5_001 }, (_, i) => rm('accounts', `a${i}`)) },
            /Invalid index batch/,
          ],
          [
            { notes: [{ workspaceId: W, accountId: 'a1', text: 'x'.repeat(1_000_001) }] },
            /Invalid index batch/,
          ],
          [{ docStates: [{ doc: `${W}/x`, stateVector: 'not bytes' }] }, /Invalid index batch/],
          [
            {
              records: [
                {
                  op: 'upsert',
                  workspaceId: W,
                  kind: 'accounts',
                  id: 'a\u0000',
                  doc: `${W}/accounts`,
                  record: { id: 'a\u0000' },
                },
              ],
            },
            /control characters/,
          ],
          [null, /Invalid index batch/],
        ]
        for (const [batch, pattern] of bad) await rejectsPlainly(index.apply(batch as IndexBatch), pattern)
        // Nothing of a failed batch was applied (one transaction).
        await rejectsPlainly(
          index.apply({
            records: [
              up('accounts', account('ok', 'fine')),
              up('deals', deal('d1', 'x', { amount: 'lots' })),
            ],
          }),
          /amount/,
        )
        expect(await index.get(W, 'accounts', 'ok')).toBeNull()
        expect(await index.lastSeq(W)).toBe(0)

        await rejectsPlainly(index.list(W, 'deals', list({ limit: 0 })), /Invalid list query/)
        await rejectsPlainly(index.list(W, 'deals', list({ limit: 1e9 })), /Invalid list query/)
        await rejectsPlainly(index.list(W, 'deals', list({ offset: -1 })), /Invalid list query/)
        await rejectsPlainly(
          index.list(W, 'deals', list({ sort: 'x; drop table feed' })),
          /Invalid list query/,
        )
        await rejectsPlainly(index.list(W, 'deals', list({ filters: { 'a"b': 1 } })), /Invalid list query/)
        await rejectsPlainly(
          index.list(W, 'deals', list({ filters: { a: { b: 1 } as unknown as string } })),
          /Invalid list query/,
        )
        await rejectsPlainly(index.list(W, 'deals', list({ q: 'x'.repeat(201) })), /Invalid list query/)
        await rejectsPlainly(index.list(W, 'nope' as RecordKind, list()), /Invalid record kind/)
        await rejectsPlainly(index.list('', 'deals', list()), /Invalid workspace id/)
        await rejectsPlainly(index.search(W, 'x', { limit: 0 }), /Invalid search options/)
        await rejectsPlainly(index.search(W, 'x'.repeat(201)), /Invalid search text/)
        await rejectsPlainly(index.getMany(W, 'deals', Array(10_001).fill('x')), /Invalid record ids/)
        await rejectsPlainly(index.feedSince(W, -1), /Invalid feed position/)
        await rejectsPlainly(index.tasks(W, { status: 'maybe' } as never, 'me'), /Invalid task query/)
        // Quotes and SQL in values are only values.
        await index.apply({ records: [up('accounts', account("a'1", `Robert'); drop table feed;--"`))] })
        expect((await index.get(W, 'accounts', "a'1"))?.record.name).toBe(`Robert'); drop table feed;--"`)
        expect(
          ids(await index.list(W, 'accounts', list({ filters: { name: `Robert'); drop table feed;--"` } }))),
        ).toEqual(["a'1"])
        expect((await index.search(W, `robert" OR *`)).map((h) => h.id)).toEqual([])
        expect((await index.search(W, 'robert drop')).map((h) => h.id)).toEqual(["a'1"])
        expect(await index.lastSeq(W)).toBe(1)
      })
    })

    describe('property: list pages equal queryRecords over the same rows', () => {
      const text = fc
        .array(fc.constantFrom('a', 'B', 'é', 'E', 'e', ' ', '-', '0', '1', '2', '10'), { maxLength: 3 })
        .map((parts) => parts.join(''))
      const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null })
      const recordArb = fc.record({
        id: fc.constantFrom('d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9', 'd10', 'D1', 'e1'),
        title: text,
        amount: fc.constantFrom(0, 1, 2.5, 10, 100),
        accountId: maybe(fc.constantFrom('a1', 'a2')),
        ownerId: maybe(fc.constantFrom('u1', 'u2', 'u3')),
        expectedCloseDate: maybe(fc.constantFrom('2025-01-01', '2025-02-01', '2026-01-01')),
        stage: fc.constantFrom('lead', 'won'),
        status: fc.constantFrom('open', 'won', 'lost'),
        archived: fc.oneof(
          { weight: 3, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        ),
        createdAt: fc.integer({ min: 0, max: 5 }),
        cf: fc.record({
          color: fc.constantFrom(undefined, null, '', 'red', 'blue'),
          n: fc.constantFrom(undefined, 1, 1.5, 0, 'x'),
          tags: fc.constantFrom(undefined, [], ['x'], ['x', 'y']),
        }),
      })
      const accountIdArb = fc.constantFrom('a1', 'a2')
      const opArb = fc.oneof(
        { weight: 4, arbitrary: recordArb.map((r) => ({ op: 'upsert' as const, r })) },
        { weight: 1, arbitrary: recordArb.map((r) => ({ op: 'remove' as const, id: r.id })) },
        // The deals' accounts come, get renamed and go (the accountName sort follows).
        {
          weight: 1,
          arbitrary: fc
            .record({ id: accountIdArb, name: text })
            .map((a) => ({ op: 'account' as const, ...a })),
        },
        { weight: 1, arbitrary: accountIdArb.map((id) => ({ op: 'unaccount' as const, id })) },
      )
      const SORTS = [
        'title',
        'amount',
        'expectedCloseDate',
        'createdAt',
        'updatedAt',
        'stageEnteredAt',
        'status',
        'accountName',
        'owner',
        'cf.color',
        'cf.n',
        'cf.tags',
      ]
      /** The sort types of the custom fields as their definitions would give them. */
      const CF_TYPES: Record<string, 'number' | 'text'> = { color: 'text', n: 'number', tags: 'text' }
      const MEMBER_NAMES = { u1: 'Bé', u2: 'al' }
      /** Mostly absent: a query with every filter set matches nothing and proves little. */
      const rarely = <T>(...values: T[]) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom(...values) },
        )
      const queryArb = fc.record({
        accountId: rarely(null, 'a1', 'a2'),
        ownerId: rarely(null, 'u1'),
        stage: rarely('lead', 'won'),
        status: rarely('open', 'won'),
        title: rarely('a', 'B', ''),
        // Text sorts (title) most often: they are where the stores' order could part from the collator's.
        sort: fc.oneof(
          fc.constantFrom('title', '-title', 'accountName', '-cf.color'),
          fc.option(fc.constantFrom(...SORTS, ...SORTS.map((s) => `-${s}`)), { nil: null }),
        ),
        archived: fc.constantFrom('false', 'true', 'all') as fc.Arbitrary<'false' | 'true' | 'all'>,
        offset: fc.oneof(
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) },
        ),
        limit: fc.integer({ min: 1, max: 10 }),
        cf: fc.oneof(
          { weight: 3, arbitrary: fc.constant<Record<string, string>>({}) },
          {
            weight: 1,
            arbitrary: fc.constantFrom<Record<string, string>>(
              { 'cf.color': 'red' },
              { 'cf.color': '' },
              { 'cf.n': '1' },
              { 'cf.n': '1.5' },
              { 'cf.tags': 'x' },
              { 'cf.tags': '' },
            ),
          },
        ),
      })

      const toDeal = (r: typeof recordArb extends fc.Arbitrary<infer T> ? T : never) => {
        const customFields: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(r.cf)) if (v !== undefined) customFields[k] = v
        return {
          ...deal(r.id, r.title, {
            amount: r.amount,
            accountId: r.accountId,
            ownerId: r.ownerId,
            expectedCloseDate: r.expectedCloseDate,
            position: { column: r.stage, key: 'a0' },
            status: r.status,
            archived: r.archived,
            customFields,
          }),
          createdAt: r.createdAt,
          updatedAt: r.createdAt * 2,
        }
      }

      it(
        'random upserts, removes and list queries',
        async () => {
          let round = 0
          await fc.assert(
            fc.asyncProperty(
              fc.array(fc.array(opArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
              fc.array(queryArb, { minLength: 1, maxLength: 5 }),
              async (batches, queries) => {
                // Each run has its own workspace: the store is shared by the runs of this test.
                const ws = `prop${round++}`
                const rows = new Map<string, ProjectedRecord>()
                const accountNames = new Map<string, string>()
                for (const ops of batches) {
                  const changes: RecordChange[] = ops.map((o) => {
                    if (o.op === 'upsert') return up('deals', toDeal(o.r), ws)
                    if (o.op === 'remove') return rm('deals', o.id, ws)
                    if (o.op === 'account') return up('accounts', account(o.id, o.name), ws)
                    return rm('accounts', o.id, ws)
                  })
                  await index.apply({ records: changes })
                  for (const o of ops) {
                    if (o.op === 'upsert') rows.set(o.r.id, toDeal(o.r))
                    else if (o.op === 'remove') rows.delete(o.id)
                    else if (o.op === 'account') accountNames.set(o.id, o.name)
                    else accountNames.delete(o.id)
                  }
                }
                /** The value a sort orders by, as the index documents it (see customSortValue). */
                const sortValue = (r: ProjectedRecord, field: string): unknown => {
                  if (field === 'accountName') return accountNames.get(String(r.accountId)) ?? null
                  if (field === 'owner') return MEMBER_NAMES[r.ownerId as keyof typeof MEMBER_NAMES] ?? null
                  const cf = (r.customFields as Record<string, unknown>)[field.slice(3)]
                  if (CF_TYPES[field.slice(3)] === 'number') return typeof cf === 'number' ? cf : null
                  if (typeof cf === 'string') return cf === '' ? null : cf
                  return Array.isArray(cf) && cf.length > 0 ? cf.join(', ') : null
                }
                for (const query of queries) {
                  const filters = {
                    accountId: query.accountId,
                    ownerId: query.ownerId,
                    stage: query.stage,
                    status: query.status,
                    title: query.title,
                  }
                  const matchesCf = customFieldFilter(query.cf)
                  const candidates = [...rows.values()].filter(
                    (r) =>
                      (query.archived === 'all' || (r.archived === true) === (query.archived === 'true')) &&
                      (matchesCf === null || matchesCf(r)),
                  )
                  // A sort by something besides the record's own fields: the model sorts by it as a field `$sort`.
                  const field = query.sort?.replace(/^-/, '') ?? ''
                  const derived = ['accountName', 'owner'].includes(field) || field.startsWith('cf.')
                  const page = queryRecords(
                    derived ? candidates.map((r) => ({ ...r, $sort: sortValue(r, field) })) : candidates,
                    {
                      filters,
                      matchIds: null,
                      sort: derived ? (query.sort?.replace(field, '$sort') ?? null) : query.sort,
                      offset: query.offset,
                      limit: query.limit,
                    },
                  )
                  const expected = {
                    ...page,
                    items: page.items.map(({ $sort: _, ...r }) => r as ProjectedRecord),
                  }
                  const actual = await index.list(ws, 'deals', {
                    filters,
                    customFields: customFieldConditions(query.cf),
                    customSort: field.startsWith('cf.') ? CF_TYPES[field.slice(3)] : undefined,
                    memberNames: MEMBER_NAMES,
                    sort: query.sort,
                    offset: query.offset,
                    limit: query.limit,
                    archived: query.archived,
                  })
                  expect({ ids: ids(actual), total: actual.total, next: actual.nextOffset }).toEqual({
                    ids: ids(expected),
                    total: expected.total,
                    next: expected.nextOffset,
                  })
                  expect(actual.items).toEqual(expected.items)
                }
              },
            ),
            { seed: SEED, numRuns: NUM_RUNS },
          )
        },
        LONG ? 1_200_000 : 120_000,
      )
    })
  })
}
