import {
  ACCOUNTS,
  type Account,
  type Activity,
  createAccount,
  customFieldKey,
  readCustomFields,
  updateAccount,
} from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  type CommittedSet,
  classifyOverwrite,
  committedKeys,
  committedSets,
  conflictText,
  containsId,
  type ItemId,
  type KeyItem,
  replacedSets,
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

describe('custom fields (one `cf:<fieldId>` entry each)', () => {
  const ACCOUNT = 'acc_cf'
  const recordOf = (doc: Y.Doc): Y.Map<unknown> => {
    const record = doc.getMap<unknown>(ACCOUNTS.name).get(ACCOUNT)
    if (!(record instanceof Y.Map)) throw new Error('no account record')
    return record
  }
  /** Our commit as AccountPage makes it: the model command, then the keys it remembers. */
  const commitAs = (doc: Y.Doc, patch: Partial<Account>) => {
    updateAccount(doc, ACCOUNT, patch, 'local')
    return new Map(committedSets(recordOf(doc), committedKeys(patch)))
  }
  /** Delivers `from`'s news to `to` and reports what replaced our sets, as the hook's record observer sees it. */
  const deliver = (from: Y.Doc, to: Y.Doc, committed: Map<string, CommittedSet>) => {
    let seen: ReturnType<typeof replacedSets> | null = null
    const observer = (event: Y.YMapEvent<unknown>) => {
      seen = replacedSets(event.target as Y.Map<unknown>, event.keysChanged, committed)
    }
    recordOf(to).observe(observer)
    send(from, to)
    recordOf(to).unobserve(observer)
    return seen as ReturnType<typeof replacedSets> | null
  }
  const seeded = (): Y.Doc => {
    const doc = replica(1)
    createAccount(doc, { id: ACCOUNT, name: 'Custom Fields Inc' }, 'seed')
    return doc
  }

  it('a patch of customFields commits the fields’ entries, not a `customFields` key', () => {
    expect(committedKeys({ customFields: { f_seats: 12, f_tier: 'Gold' } })).toEqual([
      customFieldKey('f_seats'),
      customFieldKey('f_tier'),
    ])
    expect(committedKeys({ industry: 'Retail', customFields: {} })).toEqual(['industry'])
  })

  it('a concurrent set of the same custom field kept over ours is a conflict with both values', () => {
    const seed = seeded()
    const me = replica(100, seed)
    const them = replica(200, seed)
    const committed = commitAs(me, { customFields: { f_vertical: 'Fintech' } })
    expect([...committed.keys()]).toEqual([customFieldKey('f_vertical')])
    updateAccount(them, ACCOUNT, { customFields: { f_vertical: 'Retail' } }, 'remote')
    const seen = deliver(them, me, committed)
    expect(seen?.conflicts.get(customFieldKey('f_vertical'))).toEqual({ mine: 'Fintech', theirs: 'Retail' })
  })

  it('a concurrent set of ANOTHER custom field is no conflict (both are kept)', () => {
    const seed = seeded()
    const me = replica(100, seed)
    const them = replica(200, seed)
    const committed = commitAs(me, { customFields: { f_vertical: 'Fintech' } })
    updateAccount(them, ACCOUNT, { customFields: { f_seats: 40 } }, 'remote')
    const seen = deliver(them, me, committed)
    expect(seen?.conflicts.size ?? 0).toBe(0)
    expect(readCustomFields(recordOf(me))).toEqual({ f_vertical: 'Fintech', f_seats: 40 })
  })

  it('names the writer of a kept multi-select value from the timeline (values compared as JSON)', () => {
    const at = Date.UTC(2026, 11, 4, 18, 0)
    const entry = {
      id: 'act_cf',
      type: 'field_change',
      at,
      actorId: 'usr_sasha',
      subject: { kind: 'account', id: ACCOUNT },
      text: 'changed Regions',
      changes: [{ field: customFieldKey('f_regions'), label: 'Regions', before: null, after: ['EU', 'US'] }],
    } as unknown as Activity
    expect(writerOf([entry], ACCOUNT, customFieldKey('f_regions'), ['EU', 'US'])).toBe('usr_sasha')
    expect(writerOf([entry], ACCOUNT, customFieldKey('f_regions'), ['EU'])).toBeNull()
  })
})
