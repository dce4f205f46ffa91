import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { buildDemoDocs, DEMO_COUNTS } from './demoData.ts'

const users = { admin: 'usr_a', sales: 'usr_s', sales2: 'usr_s2', support: 'usr_su', viewer: 'usr_v' }
const build = (seed: number) =>
  buildDemoDocs({ workspaceId: 'demo', workspaceName: 'Demo', users, seed, now: 1_800_000_000_000 })
const json = (state: Uint8Array | undefined, map: string) => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getMap(map).toJSON()
}

describe('buildDemoDocs', () => {
  it('builds the same content for the same seed, other content for another seed', () => {
    const a = build(7)
    const b = build(7)
    const c = build(8)
    const rooms = (docs: Map<string, Uint8Array>) =>
      [...docs.keys()]
        .filter((n) => n.startsWith('demo/account/'))
        .sort()
        .map((n) => json(docs.get(n), 'accounts'))
    expect(rooms(a)).toEqual(rooms(b))
    expect(rooms(a)).not.toEqual(rooms(c))
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort())
  })

  it('has the promised counts and one room per account', () => {
    const docs = build(1)
    // Each account in its room, holding exactly its own entry; no accounts document any more.
    expect(docs.has('demo/accounts')).toBe(false)
    for (const name of [...docs.keys()].filter((n) => n.startsWith('demo/account/')))
      expect(Object.keys(json(docs.get(name), 'accounts'))).toEqual([name.split('/')[2]])
    // Each contact in its own document, holding exactly its own entry; no contacts document any more.
    expect(docs.has('demo/contacts')).toBe(false)
    const contacts = [...docs.keys()].filter((n) => n.startsWith('demo/contact/'))
    expect(contacts).toHaveLength(DEMO_COUNTS.contacts)
    for (const name of contacts)
      expect(Object.keys(json(docs.get(name), 'contacts'))).toEqual([name.split('/')[2]])
    // Each ticket in its own document, holding exactly its own entry; no support document any more.
    expect(docs.has('demo/support')).toBe(false)
    const tickets = [...docs.keys()].filter((n) => n.startsWith('demo/ticket/'))
    expect(tickets).toHaveLength(DEMO_COUNTS.tickets)
    for (const name of tickets)
      expect(Object.keys(json(docs.get(name), 'tickets'))).toEqual([name.split('/')[2]])
    // Each deal in its own document, holding exactly its own entry; no pipeline document any more.
    expect([...docs.keys()].filter((n) => n.startsWith('demo/pipeline/'))).toHaveLength(0)
    const deals = [...docs.keys()].filter((n) => n.startsWith('demo/deal/'))
    expect(deals).toHaveLength(DEMO_COUNTS.deals)
    for (const name of deals) expect(Object.keys(json(docs.get(name), 'deals'))).toEqual([name.split('/')[2]])
    expect([...docs.keys()].filter((n) => n.startsWith('demo/account/'))).toHaveLength(DEMO_COUNTS.accounts)
  })
})
