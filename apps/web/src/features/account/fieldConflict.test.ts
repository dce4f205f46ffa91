import type { Activity } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  classifyOverwrite,
  conflictText,
  containsId,
  type ItemId,
  type KeyItem,
  writerOf,
} from './fieldConflict.ts'

const FIELD = 'industry'

/** A replica with a fixed client id (concurrent sets of one key: the higher client id is kept). */
const replica = (clientID: number, from?: Y.Doc): Y.Doc => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  if (from) Y.applyUpdate(doc, Y.encodeStateAsUpdate(from))
  return doc
}
const map = (doc: Y.Doc) => doc.getMap<unknown>('record')
const set = (doc: Y.Doc, value: string): ItemId => {
  map(doc).set(FIELD, value)
  const item = map(doc)._map.get(FIELD)
  if (!item) throw new Error('no item')
  return item.id
}
const send = (from: Y.Doc, to: Y.Doc) =>
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))

/** Classifies the current value of `doc`'s key against `mine`, with the key's history as the lookup. */
const classify = (doc: Y.Doc, mine: ItemId) => {
  const items: KeyItem[] = []
  for (let item = map(doc)._map.get(FIELD) ?? null; item; item = item.left)
    items.push({ id: item.id, length: item.length, origin: item.origin })
  const [current] = items
  if (!current) throw new Error('no value')
  return classifyOverwrite(mine, current, (id) => items.find((item) => containsId(item, id)))
}

const base = (): Y.Doc => {
  const doc = replica(1)
  map(doc).set(FIELD, 'Software')
  return doc
}

describe('classifyOverwrite', () => {
  it('a concurrent set kept over ours (higher client id) is a conflict', () => {
    const seed = base()
    const me = replica(100, seed)
    const them = replica(200, seed)
    const mine = set(me, 'Fintech')
    set(them, 'Retail')
    send(them, me)
    expect(map(me).get(FIELD)).toBe('Retail')
    expect(classify(me, mine)).toBe('concurrent')
  })

  it('our value kept over a concurrent set (lower client id) is still ours', () => {
    const seed = base()
    const me = replica(300, seed)
    const them = replica(200, seed)
    const mine = set(me, 'Fintech')
    set(them, 'Retail')
    send(them, me)
    expect(map(me).get(FIELD)).toBe('Fintech')
    expect(classify(me, mine)).toBe('mine')
  })

  it('a set by someone who had seen ours is an ordinary edit, also through a chain of edits', () => {
    const seed = base()
    const me = replica(100, seed)
    const them = replica(200, seed)
    const third = replica(50, seed)
    const mine = set(me, 'Fintech')
    send(me, them)
    set(them, 'Retail')
    send(them, me)
    expect(classify(me, mine)).toBe('knowing')
    send(them, third)
    set(third, 'Energy')
    send(third, me)
    expect(map(me).get(FIELD)).toBe('Energy')
    expect(classify(me, mine)).toBe('knowing')
  })

  it('several offline sets by the other user, none seeing ours, are a conflict', () => {
    const seed = base()
    const me = replica(100, seed)
    const them = replica(200, seed)
    set(me, 'F')
    const mine = set(me, 'Fintech')
    for (const value of ['R', 'Re', 'Retail']) set(them, value)
    send(them, me)
    expect(map(me).get(FIELD)).toBe('Retail')
    expect(classify(me, mine)).toBe('concurrent')
  })
})

const activity = ({ id = 'act_1', ...over }: Partial<Omit<Activity, 'id'>> & { id?: string }): Activity => ({
  id: id as Activity['id'],
  createdAt: 1,
  updatedAt: 1,
  archived: false,
  type: 'field_change',
  at: 1,
  actorId: 'usr_sasha',
  subject: { kind: 'account', id: 'acc_1' },
  text: '',
  changes: [],
  ...over,
})

describe('writerOf', () => {
  it('names the newest kept set of that value, never a set that lost', () => {
    const timeline = [
      activity({
        id: 'act_1',
        at: 1,
        actorId: 'usr_old',
        changes: [{ field: FIELD, before: '', after: 'Retail' }],
      }),
      activity({ id: 'act_2', at: 2, changes: [{ field: FIELD, before: 'x', after: 'Retail' }] }),
      activity({
        id: 'act_3',
        at: 3,
        actorId: 'usr_me',
        changes: [
          {
            field: FIELD,
            before: 'x',
            after: 'Retail',
            overruledBy: { actorId: 'usr_sasha', value: 'Retail' },
          },
        ],
      }),
      activity({ id: 'act_4', at: 4, actorId: 'usr_other', subject: { kind: 'account', id: 'acc_2' } }),
    ]
    expect(writerOf(timeline, 'acc_1', FIELD, 'Retail')).toBe('usr_sasha')
    expect(writerOf(timeline, 'acc_1', FIELD, 'Energy')).toBeNull()
  })
})

describe('conflictText', () => {
  it('says who changed what, and what of ours was replaced', () => {
    expect(conflictText('Sasha Sales', 'Industry', 'Retail', 'Fintech')).toBe(
      "Sasha Sales changed Industry to 'Retail' — your 'Fintech' was replaced",
    )
    expect(conflictText(null, 'City', 'Paris', '')).toBe(
      "Someone changed City to 'Paris' — your '' was replaced",
    )
  })
})
