import {
  createAccount,
  createDeal,
  defaultPipelines,
  docName,
  initWorkspace,
  NOTES_FIELD,
  updateAccount,
} from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { repairRecord } from '../collab/validationExtension.ts'
import { silentLogger } from '../log/logger.ts'
import { memoryStore } from '../storage/memoryStore.ts'
import { Projection, type ProjectionEvent } from './Projection.ts'

const WS = 'ws_unit'
const accountsName = docName({ workspaceId: WS, kind: 'accounts' })

function setup() {
  const projection = new Projection(silentLogger())
  const events: ProjectionEvent[] = []
  projection.on((event) => events.push(event))
  const doc = new Y.Doc()
  projection.attach(accountsName, doc)
  return { projection, events, doc, ws: projection.workspace(WS) }
}

describe('Projection', () => {
  it('follows record creates and edits, one event per changed record with before and after', () => {
    const { doc, ws, events } = setup()
    const acme = createAccount(
      doc,
      { name: 'Acme Robotics', domain: 'acme.example', city: 'Berlin' },
      'user-a',
    )
    expect(ws.records.accounts.get(acme.id)?.name).toBe('Acme Robotics')
    updateAccount(doc, acme.id, { industry: 'Manufacturing' }, 'user-b', { now: acme.updatedAt + 1 })
    const last = events.at(-1)
    expect(last).toMatchObject({ type: 'record', id: acme.id, origin: 'user-b' })
    if (last?.type !== 'record') throw new Error('expected a record event')
    expect(last.before?.industry).toBe('')
    expect(last.after?.industry).toBe('Manufacturing')
    expect(events.filter((e) => e.type === 'record')).toHaveLength(2)
  })

  it('never projects an invalid record; the repair restores the last valid value and drops unknown fields', () => {
    const { doc, ws, events } = setup()
    const acme = createAccount(doc, { name: 'Acme', tier: 'growth' }, null)
    const fields = doc.getMap<Y.Map<unknown>>('accounts').get(acme.id)
    if (!fields) throw new Error('missing record map')
    doc.transact(() => {
      fields.set('tier', 'platinum')
      fields.set('updatedBy', 'usr_fake')
    }, 'user-x')
    const invalid = events.find((e) => e.type === 'invalid')
    expect(invalid).toMatchObject({
      type: 'invalid',
      id: acme.id,
      badFields: ['tier'],
      unknownFields: ['updatedBy'],
    })
    expect(ws.records.accounts.get(acme.id)?.tier).toBe('growth')
    if (invalid?.type !== 'invalid') throw new Error('expected an invalid event')
    expect(repairRecord(invalid)).toBe('fields')
    expect(fields.get('tier')).toBe('growth')
    expect(fields.has('updatedBy')).toBe(false)
  })

  it('removes a record that was never valid', () => {
    const { doc, ws, events } = setup()
    const bad = new Y.Map<unknown>()
    doc.getMap('accounts').set('acc_bad', bad)
    bad.set('name', 42)
    const invalid = events.filter((e) => e.type === 'invalid').at(-1)
    if (invalid?.type !== 'invalid') throw new Error('expected an invalid event')
    expect(repairRecord(invalid)).toBe('removed')
    expect(doc.getMap('accounts').has('acc_bad')).toBe(false)
    expect(ws.records.accounts.has('acc_bad')).toBe(false)
  })

  it('indexes note text of account rooms and forgets it after detach (the index keeps it)', () => {
    const projection = new Projection(silentLogger())
    const room = new Y.Doc()
    const name = docName({ workspaceId: WS, kind: 'account', accountId: 'acc_1' })
    projection.attach(name, room)
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText('Renewal blocked by procurement')])
    room.getXmlFragment(NOTES_FIELD).insert(0, [p])
    const ws = projection.workspace(WS)
    expect(ws.notes.get('acc_1')).toBe('Renewal blocked by procurement')
    projection.detach(name)
    room.destroy()
    expect(ws.notes.has('acc_1')).toBe(false)
  })

  it('projects an edit after update listeners registered before attach (the broadcast comes first) and within transact', () => {
    const projection = new Projection(silentLogger())
    const doc = new Y.Doc()
    const ws = projection.workspace(WS)
    const seenByEarlierListener: boolean[] = []
    doc.on('update', () => seenByEarlierListener.push(ws.records.accounts.size > 0))
    projection.attach(accountsName, doc)
    const acme = createAccount(doc, { name: 'Acme' }, 'user-a')
    expect(seenByEarlierListener).toEqual([false])
    expect(ws.records.accounts.get(acme.id)?.name).toBe('Acme')
  })

  it("forgets an unloaded document's records and reads them again, without record events, when it loads", () => {
    const projection = new Projection(silentLogger())
    const doc = new Y.Doc()
    projection.attach(accountsName, doc)
    const acme = createAccount(doc, { name: 'Acme' }, 'user-a')
    projection.detach(accountsName)
    const ws = projection.workspace(WS)
    expect(ws.records.accounts.has(acme.id)).toBe(false)
    const events: string[] = []
    projection.on((event) => {
      if (event.type === 'record')
        events.push(`${event.id}:${event.before?.name ?? '-'}→${event.after?.name ?? '-'}`)
    })
    // Loaded again (a new Y.Doc, as Hocuspocus does): its records are read, no events.
    const reloaded = new Y.Doc()
    Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(doc))
    projection.attach(accountsName, reloaded)
    expect(events).toEqual([])
    expect(ws.records.accounts.get(acme.id)?.name).toBe('Acme')
    // The next change has the loaded record as its "before".
    updateAccount(reloaded, acme.id, { name: 'Acme Renamed' }, 'user-a', { now: acme.updatedAt + 1 })
    expect(events).toEqual([`${acme.id}:Acme→Acme Renamed`])
    expect(projection.stats().recordDocsRead).toBe(2)
  })
  it('bootstraps only the workspace documents (settings), never a record document', async () => {
    const store = memoryStore()
    const settings = new Y.Doc()
    const [sales] = initWorkspace(settings, { name: 'Unit', pipelines: defaultPipelines() }, null).pipelines
    if (!sales) throw new Error('no pipeline')
    const stage = sales.stages[0]
    if (!stage) throw new Error('no stage')
    const deal = new Y.Doc()
    createDeal(deal, { id: 'deal_big', pipelineId: sales.id, title: 'Big deal', stageId: stage.id }, null)
    await store.store(docName({ workspaceId: WS, kind: 'workspace' }), Y.encodeStateAsUpdate(settings))
    await store.store(
      docName({ workspaceId: WS, kind: 'deal', dealId: 'deal_big' }),
      Y.encodeStateAsUpdate(deal),
    )
    const projection = new Projection(silentLogger())
    expect(await projection.bootstrap(store)).toBe(1)
    const ws = projection.workspace(WS)
    expect(ws.records.deals.size).toBe(0)
    expect(projection.stats().recordDocsRead).toBe(0)
    expect(ws.pipelines.get(sales.id)?.stages.length).toBe(6)
  })
})
