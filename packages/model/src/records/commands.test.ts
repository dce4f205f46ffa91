import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ModelError } from '../errors.ts'
import { briefField, briefTextField, COLLECTION } from '../layout.ts'
import { notesTextToDoc } from '../notes/notesText.ts'
import { ACCOUNTS, Account, createAccount, updateAccount } from './account.ts'
import { appendActivity } from './activity.ts'
import { createContact } from './contact.ts'
import { createDeal, DEALS, type Deal, moveDeal, updateDeal } from './deal.ts'
import { addChecklistItem, BRIEF_TEMPLATE, checklistFor, createHandoff, setHandoffStatus } from './handoff.ts'
import { createNotification, markAllNotificationsRead } from './notification.ts'
import {
  archiveRecord,
  collectionMap,
  readRecord,
  readRecords,
  recordChanges,
  restoreRecord,
} from './recordMap.ts'
import { createTask, updateTask } from './task.ts'
import { createTicket, moveTicket } from './ticket.ts'
import {
  DEFAULT_SLA,
  defaultPipelines,
  initWorkspace,
  readSettings,
  upsertPipeline,
} from './workspaceSettings.ts'

const ORIGIN = { user: 'u1' }
const NOW = 1_700_000_000_000

function countUpdates(doc: Y.Doc, run: () => void): number {
  let count = 0
  const listener = (): void => {
    count++
  }
  doc.on('update', listener)
  run()
  doc.off('update', listener)
  return count
}

let seq = 0
const ids = (prefix: string): string => `${prefix}_${++seq}`

describe('record commands', () => {
  it('createAccount validates, fills defaults and writes one update with the origin', () => {
    const doc = new Y.Doc()
    let origin: unknown
    doc.on('update', (_u: Uint8Array, o: unknown) => {
      origin = o
    })
    let account: Account | undefined
    expect(
      countUpdates(doc, () => (account = createAccount(doc, { name: 'Acme' }, ORIGIN, { now: NOW }))),
    ).toBe(1)
    expect(origin).toBe(ORIGIN)
    expect(account).toMatchObject({
      name: 'Acme',
      tier: 'standard',
      team: 'sales',
      archived: false,
      createdAt: NOW,
    })
    const stored = collectionMap(doc, ACCOUNTS).get(account?.id ?? '')
    expect(stored).toBeInstanceOf(Y.Map)
    expect((stored as Y.Map<unknown>).get('name')).toBe('Acme')
  })

  it('rejects invalid input with a typed ModelError', () => {
    const doc = new Y.Doc()
    expect(() => createAccount(doc, { name: '' }, ORIGIN)).toThrow(ModelError)
    try {
      createAccount(doc, { name: 'x', tier: 'gold' as 'growth' }, ORIGIN)
    } catch (error) {
      expect((error as ModelError).code).toBe('invalid_input')
      expect((error as ModelError).issues.join()).toContain('tier')
    }
    createAccount(doc, { id: 'a1', name: 'x' }, ORIGIN)
    expect(() => createAccount(doc, { id: 'a1', name: 'y' }, ORIGIN)).toThrow(/already exists/)
    expect(collectionMap(doc, ACCOUNTS).size).toBe(1)
  })

  it('updateRecord sets only changed fields, bumps updatedAt, rejects invalid patches', () => {
    const doc = new Y.Doc()
    const a = createAccount(doc, { name: 'Acme', city: 'Oslo' }, ORIGIN, { now: NOW })
    const fields = collectionMap(doc, ACCOUNTS).get(a.id) as Y.Map<unknown>
    const changedKeys: string[] = []
    fields.observe((e) => changedKeys.push(...e.keysChanged))
    expect(
      countUpdates(doc, () => updateAccount(doc, a.id, { city: 'Oslo' }, ORIGIN, { now: NOW + 1 })),
    ).toBe(0)
    expect(
      countUpdates(doc, () =>
        updateAccount(doc, a.id, { city: 'Bergen', name: 'Acme' }, ORIGIN, { now: NOW + 5 }),
      ),
    ).toBe(1)
    expect(changedKeys.sort()).toEqual(['city', 'updatedAt'])
    expect(readRecord(collectionMap(doc, ACCOUNTS), a.id, Account)?.updatedAt).toBe(NOW + 5)
    expect(() => updateAccount(doc, a.id, { name: '' }, ORIGIN)).toThrow(ModelError)
    expect(() => updateAccount(doc, 'missing', { name: 'x' }, ORIGIN)).toThrow(/not found/)
    expect(readRecord(collectionMap(doc, ACCOUNTS), a.id, Account)?.name).toBe('Acme')
  })

  it('archives and restores', () => {
    const doc = new Y.Doc()
    const a = createAccount(doc, { name: 'Acme' }, ORIGIN)
    expect(archiveRecord(doc, ACCOUNTS, a.id, ORIGIN).archived).toBe(true)
    expect(restoreRecord(doc, ACCOUNTS, a.id, ORIGIN).archived).toBe(false)
  })

  it('creates deals at the end of their column and moves them in one transaction', () => {
    const doc = new Y.Doc()
    const [sales] = defaultPipelines(ids)
    if (sales === undefined) throw new Error('no pipeline')
    const [lead, qualified] = sales.stages
    const won = sales.stages.find((s) => s.outcome === 'won')
    const lost = sales.stages.find((s) => s.outcome === 'lost')
    if (!lead || !qualified || !won || !lost) throw new Error('stages')
    const d1 = createDeal(doc, { pipelineId: sales.id, title: 'One', stageId: lead.id }, ORIGIN, { now: NOW })
    const d2 = createDeal(doc, { pipelineId: sales.id, title: 'Two', stageId: lead.id }, ORIGIN, { now: NOW })
    expect(d2.position.key > d1.position.key).toBe(true)
    expect(d1.stageEnteredAt).toBe(NOW)
    let moved: Deal | undefined
    const updates = countUpdates(doc, () => {
      moved = moveDeal(doc, d1.id, { column: won.id, key: 'a5' }, ORIGIN, {
        now: NOW + 10,
        stages: sales.stages,
      })
    })
    expect(updates).toBe(1)
    expect(moved).toMatchObject({
      position: { column: won.id, key: 'a5' },
      status: 'won',
      stageEnteredAt: NOW + 10,
    })
    updateDeal(doc, d2.id, { lostReason: 'price' }, ORIGIN)
    const lostDeal = moveDeal(doc, d2.id, { column: lost.id, key: 'a0' }, ORIGIN, { stages: sales.stages })
    expect(lostDeal).toMatchObject({ status: 'lost', lostReason: 'price' })
    const reopened = moveDeal(doc, d2.id, { column: lead.id, key: 'a0' }, ORIGIN, { stages: sales.stages })
    expect(reopened).toMatchObject({ status: 'open', lostReason: null })
    // same column: stageEnteredAt unchanged
    const same = moveDeal(doc, d2.id, { column: lead.id, key: 'a3' }, ORIGIN, { now: NOW + 99 })
    expect(same.stageEnteredAt).toBe(reopened.stageEnteredAt)
    expect(() =>
      moveDeal(doc, d2.id, { column: 'nope', key: 'a0' }, ORIGIN, { stages: sales.stages }),
    ).toThrow(ModelError)
    expect(() => moveDeal(doc, 'missing', { column: lead.id, key: 'a0' }, ORIGIN)).toThrow(/not found/)
    expect(() =>
      createDeal(doc, { pipelineId: 'p', title: 'x', stageId: 's', currency: 'usd' }, ORIGIN),
    ).toThrow(ModelError)
  })

  it('tracks ticket first response and resolution', () => {
    const doc = new Y.Doc()
    const t = createTicket(doc, { subject: 'Broken', priority: 'urgent' }, ORIGIN, {
      now: NOW,
      sla: DEFAULT_SLA,
    })
    expect(t).toMatchObject({
      position: { column: 'new' },
      firstResponseAt: null,
      slaDueAt: NOW + 4 * 3_600_000,
    })
    const open = moveTicket(doc, t.id, { column: 'open', key: 'a0' }, ORIGIN, { now: NOW + 1 })
    expect(open).toMatchObject({ firstResponseAt: NOW + 1, resolvedAt: null })
    const resolved = moveTicket(doc, t.id, { column: 'resolved', key: 'a0' }, ORIGIN, { now: NOW + 2 })
    expect(resolved).toMatchObject({ firstResponseAt: NOW + 1, resolvedAt: NOW + 2 })
    const reopened = moveTicket(doc, t.id, { column: 'waiting', key: 'a0' }, ORIGIN, { now: NOW + 3 })
    expect(reopened).toMatchObject({ firstResponseAt: NOW + 1, resolvedAt: null })
    expect(() => moveTicket(doc, t.id, { column: 'closed', key: 'a0' }, ORIGIN)).toThrow(ModelError)
  })

  it('handoffs: brief template, checklist order, status transitions', () => {
    const doc = new Y.Doc()
    let h = createHandoff(doc, { accountId: 'a1', fromUserId: 'u1', toTeam: 'support' }, ORIGIN, { now: NOW })
    expect(doc.share.has(briefField(h.id))).toBe(false)
    const brief = notesTextToDoc(doc.getText(briefTextField(h.id)))
    expect(brief.content?.map((node) => node.type)).toEqual(
      BRIEF_TEMPLATE.flatMap(() => ['heading', 'paragraph']),
    )
    expect(brief.content?.[4]).toEqual({
      type: 'heading',
      attrs: { level: 2 },
      content: [{ type: 'text', text: 'Promises made' }],
    })
    const first = addChecklistItem(doc, { handoffId: h.id, text: 'Intro call' }, ORIGIN)
    const second = addChecklistItem(doc, { handoffId: h.id, text: 'Share docs' }, ORIGIN)
    addChecklistItem(doc, { handoffId: 'other', text: 'Not mine' }, ORIGIN)
    expect(checklistFor(collectionMap(doc, { name: COLLECTION.checklist }), h.id).map((i) => i.id)).toEqual([
      first.id,
      second.id,
    ])
    expect(() => setHandoffStatus(doc, h.id, 'accepted', ORIGIN)).toThrow(/not allowed/)
    h = setHandoffStatus(doc, h.id, 'sent', ORIGIN, { now: NOW + 1 })
    expect(h.sentAt).toBe(NOW + 1)
    expect(() => setHandoffStatus(doc, h.id, 'returned', ORIGIN)).toThrow(/comment/)
    h = setHandoffStatus(doc, h.id, 'returned', ORIGIN, { comment: 'Missing risks' })
    expect(h.returnComment).toBe('Missing risks')
    h = setHandoffStatus(doc, h.id, 'sent', ORIGIN)
    h = setHandoffStatus(doc, h.id, 'accepted', ORIGIN, { now: NOW + 5 })
    expect(h).toMatchObject({ status: 'accepted', acceptedAt: NOW + 5, returnComment: null })
  })

  it('tasks, timeline, contacts and notifications', () => {
    const doc = new Y.Doc()
    const task = createTask(doc, { title: 'Call back', dueDate: '2025-02-28' }, ORIGIN)
    expect(updateTask(doc, task.id, { done: true }, ORIGIN).done).toBe(true)
    expect(() => createTask(doc, { title: 'x', dueDate: '2025-13-01' }, ORIGIN)).toThrow(ModelError)
    const act = appendActivity(
      doc,
      { type: 'call', actorId: null, subject: { kind: 'task', id: task.id } },
      ORIGIN,
      { now: NOW },
    )
    expect(act).toMatchObject({ at: NOW, text: '', changes: [] })
    expect(() => createContact(doc, { email: 'a@b.co' }, ORIGIN)).toThrow(/name/)
    expect(createContact(doc, { firstName: 'Ada', email: 'ada@example.com' }, ORIGIN).leadStatus).toBe('new')
    createNotification(doc, { type: 'mention', actorId: 'u2', text: 'hi' }, ORIGIN)
    createNotification(doc, { type: 'assignment', actorId: null, text: 'yo' }, ORIGIN)
    expect(countUpdates(doc, () => expect(markAllNotificationsRead(doc, ORIGIN)).toBe(2))).toBe(1)
  })

  it('workspace settings: init once, tolerant read, ordered pipelines', () => {
    const doc = new Y.Doc()
    const settings = initWorkspace(doc, { name: 'Acme Inc', pipelines: defaultPipelines(ids) }, ORIGIN)
    expect(settings.pipelines.map((p) => p.name)).toEqual(['Sales', 'Expansion'])
    expect(settings.pipelines[0]?.stages.map((s) => s.name)).toEqual([
      'Lead',
      'Qualified',
      'Proposal',
      'Negotiation',
      'Won',
      'Lost',
    ])
    expect(countUpdates(doc, () => initWorkspace(doc, { name: 'Other' }, ORIGIN))).toBe(0)
    const added = upsertPipeline(
      doc,
      {
        id: 'pip_new',
        name: 'Renewals',
        stages: [{ id: 's', name: 'S', probability: 0.5, rotAfterDays: null, outcome: 'open' }],
      },
      ORIGIN,
    )
    expect(readSettings(doc).pipelines.at(-1)?.id).toBe(added.id)
    ;(doc.getMap('settings').get('pipelines') as Y.Map<unknown>).set('bad', { id: 'bad' })
    const read = readSettings(doc)
    expect(read.pipelines).toHaveLength(3)
    expect(read.invalid.map((i) => i.path)).toEqual(['pipelines.bad'])
    expect(read.sla).toEqual(DEFAULT_SLA)
  })
})

describe('tolerant reads', () => {
  it('skips and reports bad records instead of throwing', () => {
    const doc = new Y.Doc()
    const good = createAccount(doc, { id: 'good', name: 'Fine' }, ORIGIN)
    const map = collectionMap(doc, ACCOUNTS)
    const bad = new Y.Map<unknown>()
    map.set('bad', bad)
    bad.set('id', 'bad')
    bad.set('name', 42)
    map.set('plain', { id: 'plain' })
    const mismatched = new Y.Map<unknown>()
    map.set('other', mismatched)
    for (const [k, v] of Object.entries({ ...good, id: 'elsewhere' })) mismatched.set(k, v)
    const { records, invalid } = readRecords(map, Account)
    expect(records.map((r) => r.id)).toEqual(['good'])
    expect(invalid.map((i) => i.id)).toEqual(['bad', 'other', 'plain'])
    expect(invalid[0]?.issues).toContain('name')
    expect(readRecord(map, 'bad', Account)).toBeNull()
    expect(readRecord(map, 'nope', Account)).toBeNull()
    expect(readRecord(map, 'good', Account)?.name).toBe('Fine')
  })

  it('recordChanges reports added and edited record ids', () => {
    const doc = new Y.Doc()
    const map = collectionMap(doc, DEALS)
    const seen: string[][] = []
    map.observeDeep((events) => seen.push(recordChanges(events)))
    const d = createDeal(doc, { id: 'd1', pipelineId: 'p', title: 'x', stageId: 's' }, ORIGIN)
    updateDeal(doc, d.id, { title: 'y' }, ORIGIN)
    expect(seen).toEqual([['d1'], ['d1']])
  })
})
