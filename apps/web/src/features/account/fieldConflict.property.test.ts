import { Prng } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { classifyOverwrite, containsId, type ItemId, type KeyItem } from './fieldConflict.ts'

const LONG = process.env.RAPPORT_LONG === '1'
const SEED = 20_261_205
const RUNS = LONG ? 5_000 : 200
const FIELD = 'industry'

const map = (doc: Y.Doc) => doc.getMap<unknown>('record')

const classify = (doc: Y.Doc, mine: ItemId) => {
  const items: KeyItem[] = []
  for (let item = map(doc)._map.get(FIELD) ?? null; item; item = item.left)
    items.push({ id: item.id, length: item.length, origin: item.origin })
  const [current] = items
  if (!current) throw new Error('no value')
  return classifyOverwrite(mine, current, (id) => items.find((item) => containsId(item, id)))
}

/**
 * One random schedule of 2–3 clients setting one field through a server (each client's updates in order, clients
 * interleaved, catching up now and then), with Yjs' garbage collection on. After each catch-up, a client's last
 * committed value is classified; the truth is taken from the VALUES each writer saw (not from Yjs ids): our value was
 * replaced knowingly iff following "the value this set replaced" back from the current value reaches ours.
 */
function run(seed: number): string[] {
  const prng = new Prng(seed)
  const problems: string[] = []
  const replaced = new Map<string, string>()
  const server = new Y.Doc()
  server.clientID = 1
  map(server).set(FIELD, 'v0')
  const ids = new Set<number>()
  while (ids.size < 2 + prng.int(2)) ids.add(10 + prng.int(1_000_000))
  const clients = [...ids].map((clientID) => {
    const doc = new Y.Doc()
    doc.clientID = clientID
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server))
    return { doc, outbox: [] as Uint8Array[], mine: null as { value: string; id: ItemId } | null }
  })
  let counter = 0
  for (let step = 0; step < 80; step += 1) {
    const client = prng.pick(clients)
    if (!client) break
    const action = prng.int(3)
    if (action === 0) {
      counter += 1
      const value = `c${client.doc.clientID}-${counter}`
      replaced.set(value, String(map(client.doc).get(FIELD)))
      const before = Y.encodeStateVector(client.doc)
      map(client.doc).set(FIELD, value)
      client.outbox.push(Y.encodeStateAsUpdate(client.doc, before))
      const item = map(client.doc)._map.get(FIELD)
      if (item) client.mine = { value, id: item.id }
    } else if (action === 1) {
      const update = client.outbox.shift()
      if (update) Y.applyUpdate(server, update)
    } else {
      Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(client.doc)), 'remote')
      const mine = client.mine
      if (!mine) continue
      const current = String(map(client.doc).get(FIELD))
      let truth: 'mine' | 'knowing' | 'concurrent' = current === mine.value ? 'mine' : 'concurrent'
      for (let v: string | undefined = current; truth !== 'mine' && v; v = replaced.get(v))
        if (replaced.get(v) === mine.value) truth = 'knowing'
      const got = classify(client.doc, mine.id)
      if (got !== truth) problems.push(`step ${step}: ${mine.value} vs ${current}: ${got}, expected ${truth}`)
      if (got !== 'mine') client.mine = null
    }
  }
  return problems
}

describe('classifyOverwrite, property', () => {
  it(`matches what each writer had seen (${RUNS} seeded schedules)`, () => {
    for (let i = 0; i < RUNS; i += 1) expect(run(SEED + i), `seed ${SEED + i}`).toEqual([])
  }, 600_000)
})
