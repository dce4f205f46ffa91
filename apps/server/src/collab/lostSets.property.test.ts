import { Prng } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { lostSetsOf } from './lostSets.ts'

const LONG = process.env.RAPPORT_LONG === '1'
const SEED = 20_261_204
const RUNS = LONG ? 5_000 : 200
const COLLECTION = 'accounts'
const ID = 'acc_1'
const FIELD = 'industry'

const fieldsOf = (doc: Y.Doc) => doc.getMap<unknown>(COLLECTION).get(ID) as Y.Map<unknown>

/**
 * One random schedule: 2–4 clients set one field (unique values), send their updates in order (like a socket) but
 * interleaved at random with the others', and now and then catch up with the server. Every set the server
 * receives must be exactly one of: the field's value after its transaction, or reported lost in that transaction
 * (with the kept value being the field's value).
 */
function run(seed: number): string[] {
  const prng = new Prng(seed)
  const problems: string[] = []
  const base = new Y.Doc()
  base.clientID = 1
  base.transact(() => {
    const record = new Y.Map<unknown>()
    base.getMap(COLLECTION).set(ID, record)
    record.set(FIELD, 'v0')
  })
  const server = new Y.Doc()
  server.clientID = 2
  Y.applyUpdate(server, Y.encodeStateAsUpdate(base))
  const ids = new Set<number>()
  while (ids.size < 2 + prng.int(3)) ids.add(10 + prng.int(1_000_000))
  const clients = [...ids].map((clientID) => {
    const doc = new Y.Doc()
    doc.clientID = clientID
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(base))
    const outbox: Array<{ update: Uint8Array; value: string }> = []
    return { doc, outbox }
  })

  let counter = 0
  const deliver = (client: (typeof clients)[number]): void => {
    const next = client.outbox.shift()
    if (!next) return
    const lost: ReturnType<typeof lostSetsOf>[] = []
    const watch = (txn: Y.Transaction) => lost.push(lostSetsOf(txn, server.getMap(COLLECTION)))
    server.on('afterTransaction', watch)
    Y.applyUpdate(server, next.update, 'connection')
    server.off('afterTransaction', watch)
    const found = lost.flat()
    const now = fieldsOf(server).get(FIELD)
    const visible = now === next.value
    const reported = found.filter((l) => l.value === next.value)
    if (visible === reported.length > 0 || reported.length > 1)
      problems.push(`${next.value}: visible=${visible}, reported ${reported.length} times`)
    for (const l of found) {
      if (l.value !== next.value) problems.push(`reported ${String(l.value)} while delivering ${next.value}`)
      if (l.keptValue !== now) problems.push(`kept ${String(l.keptValue)} but the value is ${String(now)}`)
    }
  }

  for (let step = 0; step < 40; step += 1) {
    const client = prng.pick(clients)
    if (!client) break
    const action = prng.int(3)
    if (action === 0) {
      counter += 1
      const value = `c${client.doc.clientID}-${counter}`
      const before = Y.encodeStateVector(client.doc)
      fieldsOf(client.doc).set(FIELD, value)
      client.outbox.push({ update: Y.encodeStateAsUpdate(client.doc, before), value })
    } else if (action === 1) {
      deliver(client)
    } else {
      // Catch up with what the server has (its own updates are in order, so nothing is ever pending).
      Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(client.doc)))
    }
  }
  for (const client of clients) while (client.outbox.length > 0) deliver(client)
  return problems
}

describe('lostSetsOf, property', () => {
  it(`every set the server receives is either the value after it or reported lost (${RUNS} seeded schedules)`, () => {
    for (let i = 0; i < RUNS; i += 1) {
      const problems = run(SEED + i)
      expect(problems, `seed ${SEED + i}`).toEqual([])
    }
  }, 600_000)
})
