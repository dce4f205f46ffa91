import {
  ACCOUNTS,
  appendActivity,
  COLLECTION,
  createAccount,
  createTask,
  docName,
  logActivity,
  NOTES_FIELD,
  updateAccount,
  updateLoggedActivity,
} from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { kindsOfDoc } from './docKinds.ts'
import { Projection, type ProjectionEvent } from './Projection.ts'

/** An account room W/account/A holds two record kinds: its account (the one entry A) and its tasks (issue #12). */
const WS = 'ws_room'
const ACC = 'acc_room'
const roomName = docName({ workspaceId: WS, kind: 'account', accountId: ACC })

function room(): Y.Doc {
  const doc = new Y.Doc()
  createAccount(doc, { id: ACC, name: 'Acme Zeppelins', city: 'Lyon' }, 'user-a')
  createTask(doc, { id: 'tsk_one', title: 'Call back' }, 'user-a')
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText('Quarterly review')])
  doc.getXmlFragment(NOTES_FIELD).insert(0, [paragraph])
  return doc
}

describe('account room: account and tasks in one document', () => {
  it('kindsOfDoc: an account room holds accounts then tasks; other documents their one kind', () => {
    expect(kindsOfDoc({ workspaceId: WS, kind: 'account', accountId: ACC })).toEqual(['accounts', 'tasks'])
    expect(kindsOfDoc({ workspaceId: WS, kind: 'accounts' })).toEqual(['accounts'])
    expect(kindsOfDoc({ workspaceId: WS, kind: 'workspace' })).toEqual([])
  })

  it('projects the account (without an accountId field) and its tasks (with the room as accountId)', () => {
    const projection = new Projection(silentLogger())
    const events: ProjectionEvent[] = []
    projection.on((event) => events.push(event))
    const doc = room()
    projection.attach(roomName, doc)
    const ws = projection.workspace(WS)
    expect(ws.records.accounts.get(ACC)).toMatchObject({ id: ACC, name: 'Acme Zeppelins' })
    expect(ws.records.accounts.get(ACC)).not.toHaveProperty('accountId')
    expect(ws.records.tasks.get('tsk_one')).toMatchObject({ title: 'Call back', accountId: ACC })
    expect(ws.idsFrom(roomName, 'accounts')).toEqual([ACC])
    expect(ws.idsFrom(roomName, 'tasks')).toEqual(['tsk_one'])

    updateAccount(doc, ACC, { city: 'Porto' }, 'user-b', { now: Date.now() + 1 })
    const last = events.at(-1)
    expect(last).toMatchObject({ type: 'record', kind: 'accounts', id: ACC, docName: roomName })
    createTask(doc, { id: 'tsk_two', title: 'Send the quote' }, 'user-b')
    expect(events.at(-1)).toMatchObject({ type: 'record', kind: 'tasks', id: 'tsk_two' })

    // A foreign account entry is never projected; removing the room's account removes only the account.
    createAccount(doc, { id: 'acc_foreign', name: 'Foreign' }, 'user-c')
    expect(ws.records.accounts.has('acc_foreign')).toBe(false)
    doc.transact(() => doc.getMap(ACCOUNTS.name).delete(ACC))
    expect(ws.records.accounts.has(ACC)).toBe(false)
    expect([...ws.records.tasks.keys()].sort()).toEqual(['tsk_one', 'tsk_two'])
  })

  it('a full re-index after a detach removes only what left the room, kind by kind', () => {
    const projection = new Projection(silentLogger())
    const doc = room()
    projection.attach(roomName, doc)
    projection.detach(roomName)
    doc.transact(() => doc.getMap('tasks').delete('tsk_one'))
    projection.attach(roomName, doc)
    const ws = projection.workspace(WS)
    expect(ws.records.accounts.has(ACC)).toBe(true)
    expect(ws.records.tasks.has('tsk_one')).toBe(false)
  })

  it('an invalid account in a loaded room gets its invalid event (validation repairs it); its tasks are projected', () => {
    const doc = room()
    ;(doc.getMap(ACCOUNTS.name).get(ACC) as Y.Map<unknown>).set('name', 42)
    const projection = new Projection(silentLogger())
    const events: ProjectionEvent[] = []
    projection.on((event) => events.push(event))
    projection.attach(roomName, doc)
    expect(events.filter((e) => e.type === 'invalid')).toEqual([
      expect.objectContaining({ type: 'invalid', kind: 'accounts', id: ACC }),
    ])
    expect(projection.workspace(WS).records.accounts.has(ACC)).toBe(false)
    expect(projection.workspace(WS).records.tasks.has('tsk_one')).toBe(true)
  })

  it('emits roomFacts when a logged call, email or meeting changes, not for the audit entries of the timeline', () => {
    const projection = new Projection(silentLogger())
    const events: ProjectionEvent[] = []
    projection.on((event) => events.push(event))
    const doc = room()
    projection.attach(roomName, doc)
    const facts = () => events.filter((e) => e.type === 'roomFacts').length

    // What the audit writes while someone edits a record: history, never a report fact.
    appendActivity(
      doc,
      {
        type: 'field_change',
        actorId: 'usr_a',
        subject: { kind: 'account', id: ACC },
        text: 'changed city of Acme',
      },
      'audit',
    )
    appendActivity(
      doc,
      { type: 'note', actorId: 'usr_a', subject: { kind: 'notes', id: ACC }, text: 'edited notes' },
      'audit',
    )
    expect(facts()).toBe(0)

    const call = logActivity(
      doc,
      ACC,
      'usr_a',
      { type: 'call', at: Date.now(), outcome: 'Agreed on a demo' },
      'user-a',
    )
    expect(facts()).toBe(1)
    updateLoggedActivity(doc, call.id, { archived: true }, 'user-a')
    expect(facts()).toBe(2)
    doc.transact(() => doc.getMap(COLLECTION.timeline).delete(call.id))
    expect(facts()).toBe(3)
    // Removing an audit entry: it may have been anything, so the facts are read again.
    const [entry] = [...doc.getMap(COLLECTION.timeline).keys()]
    doc.transact(() => doc.getMap(COLLECTION.timeline).delete(entry as string))
    expect(facts()).toBe(4)
  })
})
