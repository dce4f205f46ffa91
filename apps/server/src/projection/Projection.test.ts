import {
  createAccount,
  createContact,
  createDeal,
  customFieldKey,
  defaultPipelines,
  docName,
  initWorkspace,
  jsonEqual,
  NOTES_FIELD,
  updateAccount,
} from '@rapport/model'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { repairRecord } from '../collab/validationExtension.ts'
import { silentLogger } from '../log/logger.ts'
import { memoryStore } from '../storage/memoryStore.ts'
import { Projection, type ProjectionEvent, readDocumentRecords } from './Projection.ts'
import { KIND_SPECS } from './recordKinds.ts'

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

  it('an edit of some fields projects what a full parse of the record gives (random edits, valid and not)', () => {
    const { doc, ws, events } = setup()
    const contactsDoc = new Y.Doc()
    const contactsName = docName({ workspaceId: WS, kind: 'contact', contactId: 'con_prop' })
    const projection = new Projection(silentLogger())
    projection.attach(contactsName, contactsDoc)
    projection.on((event) => events.push(event))
    const acme = createAccount(doc, { name: 'Acme', city: 'Lyon' }, 'user-a')
    createContact(contactsDoc, { id: 'con_prop', firstName: 'Ada', lastName: 'Lovelace' }, 'user-a')
    const fullParses = vi.spyOn(KIND_SPECS.accounts.schema, 'safeParse')
    let seed = 12345
    // mulberry32: a fixed sequence, every bit of it usable.
    const random = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n)
    }
    // Mostly valid values, as edits are; then what is not: invalid values, an unknown field, a custom field, a removed
    // field, a nested type under a field (its later edits reach the projection as changes below the field).
    const valid: Record<'accounts' | 'contacts', Record<string, unknown[]>> = {
      accounts: {
        name: ['Globex', '  Padded  ', 'Initech'],
        city: ['Porto', 'Berlin', ''],
        tier: ['growth', 'standard'],
        size: [null, '11-50'],
        updatedAt: [1, 2],
      },
      contacts: {
        firstName: ['Grace', 'Alan', ''],
        lastName: ['Hopper', 'Turing', ''],
        title: ['CTO', '  Engineer '],
        score: [0, 50],
      },
    }
    const invalid: Record<string, unknown[]> = {
      name: ['', 42],
      city: [null],
      tier: ['platinum'],
      score: [-1, 'high'],
      updatedAt: [-5],
      bogus: ['x'],
      [customFieldKey('fld_budget')]: ['high', null],
    }
    const invalidFields = Object.keys(invalid)
    const lastValid = new Map<string, unknown>()
    let accountSteps = 0
    for (let step = 0; step < 600; step++) {
      const onAccount = random(2) === 0
      const [target, name, id] = onAccount
        ? [doc, accountsName, acme.id]
        : [contactsDoc, contactsName, 'con_prop']
      const kind = onAccount ? 'accounts' : 'contacts'
      if (onAccount) accountSteps += 1
      const eventsBefore = events.length
      const stateBefore = Y.encodeStateVector(target)
      const map = target.getMap<Y.Map<unknown>>(kind).get(id)
      if (!map) throw new Error('missing record map')
      target.transact(() => {
        for (let n = 1 + random(2); n > 0; n--) {
          const odd = random(10)
          if (odd >= 3) {
            const fields = valid[kind]
            const field = Object.keys(fields)[random(Object.keys(fields).length)] as string
            const options = fields[field] as unknown[]
            map.set(field, options[random(options.length)])
          } else if (odd === 0 && random(4) === 0) {
            map.delete(onAccount ? 'city' : 'lastName')
          } else if (odd === 0) {
            const field = invalidFields[random(invalidFields.length)] as string
            const options = invalid[field] as unknown[]
            map.set(field, options[random(options.length)])
          } else if (odd === 1) {
            // What validation would do: back to a valid record.
            for (const field of ['bogus', customFieldKey('fld_budget'), 'team', 'score']) map.delete(field)
            if (onAccount) {
              map.set('team', 'sales')
              map.set('name', 'Restored')
              map.set('tier', 'growth')
              map.set('city', '')
              map.set('updatedAt', 3)
            } else {
              map.set('lastName', 'Back')
              map.set('score', 0)
              map.set('firstName', 'Restored')
              map.set('updatedAt', 3)
              for (const field of ['name', 'city', 'tier', 'size']) map.delete(field)
            }
          } else {
            if (!onAccount) continue
            const nested = map.get('team') instanceof Y.Map ? (map.get('team') as Y.Map<unknown>) : null
            if (nested) nested.set('k', random(3))
            else if (random(4) === 0) map.set('team', new Y.Map<unknown>())
          }
        }
      }, 'user-b')
      const full = readDocumentRecords(name, target)
        ?.kinds.find((k) => k.kind === kind)
        ?.records.get(id)
      const projected = (onAccount ? ws : projection.workspace(WS)).records[kind].get(id)
      // A valid record is projected exactly as a full parse reads it; an invalid one keeps its last valid version.
      if (full) lastValid.set(kind, full)
      // A record failing its schema (or with fields it does not know) gets its invalid event, so validation repairs it.
      else if (!jsonEqual([...stateBefore], [...Y.encodeStateVector(target)]))
        expect(events.slice(eventsBefore).some((e) => e.type === 'invalid' && e.id === id)).toBe(true)
      expect(projected).toBeDefined()
      expect(projected).toEqual(lastValid.get(kind))
    }
    // Edits of a clean record were checked field by field: the projection parsed the whole account for fewer than
    // 3 in 4 of them (each step's readDocumentRecords above parses it once too).
    const projectionParses = fullParses.mock.calls.length - accountSteps
    fullParses.mockRestore()
    expect(projectionParses).toBeLessThan(0.75 * accountSteps)
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
