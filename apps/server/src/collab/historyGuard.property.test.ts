import { appendActivity, createHandoff, createTask, Prng, setHandoffStatus } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { HANDOFF_CLIENT_FIELDS, historyGuardExtension } from './historyGuardExtension.ts'

const LONG = process.env.RAPPORT_LONG === '1'
const SEED = 20_261_204
const RUNS = LONG ? 3_000 : 150
const ROOM = 'w/account/acc_1'
const CLIENT_ORIGIN = { context: { userId: 'usr_client', workspaceId: 'w' } }
const EDITABLE = new Set(['draft', 'returned'])

type Json = Record<string, Record<string, unknown>>
const history = (doc: Y.Doc) => ({
  timeline: doc.getMap('timeline').toJSON() as Json,
  handoffs: doc.getMap('handoffs').toJSON() as Json,
})

const pickKey = (prng: Prng, map: Y.Map<unknown>): string | undefined => prng.pick([...map.keys()].sort())

/** One random client transaction: forbidden writes to the timeline and handoffs mixed with allowed ones. */
function clientWrite(prng: Prng, doc: Y.Doc, n: number): void {
  const timeline = doc.getMap<unknown>('timeline')
  const handoffs = doc.getMap<unknown>('handoffs')
  doc.transact(() => {
    for (let op = 0; op < 1 + prng.int(3); op++) {
      const entryId = pickKey(prng, timeline)
      const entry = entryId ? (timeline.get(entryId) as Y.Map<unknown>) : undefined
      const handoffId = pickKey(prng, handoffs)
      const handoff = handoffId ? (handoffs.get(handoffId) as Y.Map<unknown>) : undefined
      switch (prng.int(12)) {
        case 0:
          if (entryId) timeline.delete(entryId)
          break
        case 1:
          entry?.set(prng.pick(['text', 'actorId', 'at', 'type', 'forged']) as string, `client ${n}`)
          break
        case 2:
          entry?.delete(prng.pick(['text', 'changes', 'subject']) as string)
          break
        case 3:
          appendActivity(doc, { type: 'call', actorId: null, subject: { kind: 'account', id: 'acc_1' } }, 'c')
          break
        case 4:
          if (entryId) timeline.set(entryId, new Y.Map([['text', `replaced ${n}`]]))
          break
        case 5:
          entry?.set('text', `edited ${n}`)
          if (entryId) timeline.delete(entryId)
          break
        case 6:
          handoff?.set('status', prng.pick(['draft', 'sent', 'accepted', 'returned']))
          break
        case 7:
          handoff?.set(prng.pick([...HANDOFF_CLIENT_FIELDS]) as string, `client ${n}`)
          break
        case 8:
          handoff?.set(prng.pick(['sentAt', 'acceptedAt', 'returnComment', 'fromUserId', 'id']) as string, n)
          break
        case 9:
          if (handoffId) handoffs.delete(handoffId)
          break
        case 10:
          handoffs.set(`hof_fake${n}`, new Y.Map<unknown>([['status', 'accepted']]))
          break
        default:
          createTask(doc, { id: `tsk_${n}_${op}`, title: `task ${n}` }, 'c')
      }
    }
  }, 'local')
}

/** A server write between deliveries: a new entry, a handoff step or a new handoff. */
function serverWrite(prng: Prng, doc: Y.Doc, n: number): void {
  const handoffs = doc.getMap<unknown>('handoffs')
  const id = pickKey(prng, handoffs)
  switch (prng.int(3)) {
    case 0:
      appendActivity(
        doc,
        { type: 'handoff', actorId: null, subject: { kind: 'account', id: 'acc_1' } },
        'server',
      )
      break
    case 1:
      try {
        if (id)
          setHandoffStatus(doc, id, prng.pick(['sent', 'accepted', 'returned']) as 'sent', 'server', {
            comment: 'back',
          })
      } catch {
        // not a valid transition from its status, or not a valid handoff: the REST action would refuse it too
      }
      break
    default:
      createHandoff(
        doc,
        { id: `hof_s${n}`, accountId: 'acc_1', fromUserId: 'usr_s', toTeam: 'support' },
        'server',
      )
  }
}

/** What a client delivery may change: nothing in the timeline; a handoff's client fields while it was editable. */
function forbiddenChanges(before: ReturnType<typeof history>, after: ReturnType<typeof history>): string[] {
  const problems: string[] = []
  if (JSON.stringify(after.timeline) !== JSON.stringify(before.timeline)) problems.push('timeline changed')
  const ids = new Set([...Object.keys(before.handoffs), ...Object.keys(after.handoffs)])
  for (const id of ids) {
    const old = before.handoffs[id]
    const now = after.handoffs[id]
    if (!old || !now) {
      problems.push(`handoff ${id} ${old ? 'deleted' : 'created'}`)
      continue
    }
    const editable = EDITABLE.has(old.status as string)
    for (const field of new Set([...Object.keys(old), ...Object.keys(now)])) {
      if (editable && HANDOFF_CLIENT_FIELDS.has(field)) continue
      if (JSON.stringify(old[field]) !== JSON.stringify(now[field]))
        problems.push(`handoff ${id}.${field} changed`)
    }
  }
  return problems
}

/**
 * One schedule: 2–3 clients write at random from possibly stale copies; their updates reach the server one by one,
 * interleaved with server writes; clients catch up now and then. After every delivery the history is as before it
 * (except a draft's client fields); at the end every replica holds the server's history.
 */
async function run(seed: number): Promise<string[]> {
  const prng = new Prng(seed)
  const server = new Y.Doc()
  const guard = historyGuardExtension(silentLogger())
  await guard.afterLoadDocument?.({ documentName: ROOM, document: server } as never)
  server.transact(() => {
    for (let i = 0; i < 3; i++)
      appendActivity(server, { type: 'call', actorId: null, subject: { kind: 'account', id: 'acc_1' } }, 's')
    createHandoff(server, { id: 'hof_a', accountId: 'acc_1', fromUserId: 'usr_s', toTeam: 'support' }, 's')
    createHandoff(server, { id: 'hof_b', accountId: 'acc_1', fromUserId: 'usr_s', toTeam: 'support' }, 's')
    setHandoffStatus(server, 'hof_b', 'sent', 's')
  }, 'server')
  const clients = Array.from({ length: 2 + prng.int(2) }, () => {
    const replica = new Y.Doc()
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(server))
    const outbox: Uint8Array[] = []
    replica.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'local') outbox.push(update)
    })
    return { replica, outbox }
  })
  const catchUp = (replica: Y.Doc) =>
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(server, Y.encodeStateVector(replica)), 'server')
  const problems: string[] = []
  for (let step = 0; step < 30; step++) {
    const client = prng.pick(clients) as (typeof clients)[number]
    const action = prng.int(10)
    if (action < 4) clientWrite(prng, client.replica, step)
    else if (action < 7) {
      const update = client.outbox.shift()
      if (!update) continue
      const before = history(server)
      Y.applyUpdate(server, update, CLIENT_ORIGIN)
      for (const problem of forbiddenChanges(before, history(server)))
        problems.push(`step ${step}: ${problem}`)
    } else if (action < 9) serverWrite(prng, server, step)
    else catchUp(client.replica)
  }
  for (const client of clients) {
    for (const update of client.outbox.splice(0)) {
      const before = history(server)
      Y.applyUpdate(server, update, CLIENT_ORIGIN)
      for (const problem of forbiddenChanges(before, history(server))) problems.push(`final: ${problem}`)
    }
  }
  const expected = JSON.stringify(history(server))
  for (const client of clients) {
    catchUp(client.replica)
    if (JSON.stringify(history(client.replica)) !== expected)
      problems.push('a replica differs from the server')
  }
  return problems
}

describe('history guard under random concurrent client writes', () => {
  it(`keeps the server-written history (seed ${SEED}, ${RUNS} runs)`, async () => {
    const failures: string[] = []
    for (let run_ = 0; run_ < RUNS; run_++) {
      const problems = await run(SEED + run_)
      if (problems.length > 0) failures.push(`seed ${SEED + run_}: ${problems.slice(0, 3).join('; ')}`)
    }
    expect(failures.slice(0, 5)).toEqual([])
  })
})
