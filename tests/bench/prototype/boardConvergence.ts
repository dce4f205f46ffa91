/**
 * Issue #12 prototype (a, board): concurrent moves, evictions and reopenings on a positions-only board converge
 * with no duplicate and no lost card. Seeded (TestConnector); `RAPPORT_LONG=1` runs 1,000 seeds instead of 50.
 * Not a test yet: the next session turns it into `packages/model/src/board/boardDoc.property.test.ts`.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/boardConvergence.ts
 */
import { convergenceReport, TestConnector } from '@rapport/model'
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing'
import type * as Y from 'yjs'
import { CLOSED_TTL_MS, columnOf, encodePos, evictClosed, moveCard, posMap, readPos } from './boardEntries.ts'
import { CLOSED_STAGES, NOW, OPEN_STAGES } from './fixtures.ts'

const STAGES = [...OPEN_STAGES, ...CLOSED_STAGES]
const SERVER = 3
const CARDS = 30

type Outcome = { seed: number; problems: string[]; evictions: number; raced: number }

function runSeed(seed: number): Outcome {
  const net = new TestConnector(4, seed)
  const prng = net.prng
  const seedDoc = net.doc(SERVER)
  const keys = generateNKeysBetween(null, null, CARDS)
  for (let i = 0; i < CARDS; i++) {
    const closed = i % 3 === 0
    const stage = closed ? (CLOSED_STAGES[i % 2] as string) : (OPEN_STAGES[i % 4] as string)
    const at = closed ? NOW - 2 * CLOSED_TTL_MS : NOW
    moveCard(seedDoc, `deal_${i}`, encodePos(stage, keys[i] as string, closed ? 'won' : 'open', at), 'server')
  }
  net.flushAll()
  const evicted = new Set<string>()
  let evictions = 0
  let raced = 0
  for (let step = 0; step < 200; step++) {
    const r = prng.next()
    if (r < 0.55) {
      const who = prng.int(3)
      const doc = net.doc(who)
      const id = `deal_${prng.int(CARDS)}`
      if (!posMap(doc).has(id) && !prng.bool(0.3)) continue // reopening an evicted card happens, but less
      const stage = STAGES[prng.int(STAGES.length)] as string
      const column = columnOf(doc, stage).filter((x) => x !== id)
      const at = prng.int(column.length + 1)
      const before = column[at - 1]
      const after = column[at]
      const low = before === undefined ? null : (readPos(doc, before)?.[1] ?? null)
      const high = after === undefined ? null : (readPos(doc, after)?.[1] ?? null)
      // Two writers can pick the same key (ties sort by id); then place after the lower one.
      const key =
        low !== null && high !== null && low >= high
          ? generateKeyBetween(low, null)
          : generateKeyBetween(low, high)
      const status = stage === 'stg_won' ? 'won' : stage === 'stg_lost' ? 'lost' : 'open'
      moveCard(
        doc,
        id,
        encodePos(stage, key, status, NOW - (status === 'open' ? 0 : prng.int(2) * 2 * CLOSED_TTL_MS)),
        `c${who}`,
      )
    } else if (r < 0.65) {
      const gone = evictClosed(net.doc(SERVER), NOW, 'server')
      evictions += gone.length
      for (const id of gone) evicted.add(id)
    } else if (r < 0.72) {
      net.toggleRandom()
    } else {
      net.deliver(1 + prng.int(4))
    }
  }
  net.flushAll()
  const problems = convergenceReport(net.docs, ['pos'])
  const doc = net.doc(0) as Y.Doc
  const seen = new Set<string>()
  for (const stage of STAGES) {
    for (const id of columnOf(doc, stage)) {
      if (seen.has(id)) problems.push(`${id} shows in two columns`)
      seen.add(id)
    }
  }
  for (const id of posMap(doc).keys()) {
    const pos = readPos(doc, id)
    if (pos === undefined) problems.push(`${id} has a malformed position`)
    else if ((pos[0] === 'stg_won') !== (pos[2] === 'w')) problems.push(`${id}: stage and status disagree`)
  }
  for (let i = 0; i < CARDS; i++) {
    const id = `deal_${i}`
    if (!seen.has(id) && !evicted.has(id)) problems.push(`${id} vanished without an eviction`)
    if (seen.has(id) && evicted.has(id)) raced++
  }
  return { seed, problems, evictions, raced }
}

/** The race the design relies on, pinned: a reopen concurrent with the eviction keeps the card. */
function reopenDuringEviction(): string[] {
  const net = new TestConnector(2, 1)
  const [client, server] = [net.doc(0), net.doc(1)]
  moveCard(server, 'deal_x', encodePos('stg_won', 'a0', 'won', NOW - 2 * CLOSED_TTL_MS), 'server')
  net.flushAll()
  net.disconnect(0)
  moveCard(client, 'deal_x', encodePos('stg_lead', 'a0', 'open', NOW), 'c0')
  evictClosed(server, NOW, 'server')
  net.flushAll()
  const problems = convergenceReport(net.docs, ['pos'])
  if (readPos(server, 'deal_x')?.[2] !== 'o') problems.push('the reopened card was lost to the eviction')
  return problems
}

function main(): void {
  const seeds = process.env.RAPPORT_LONG === '1' ? 1000 : 50
  let failed = 0
  let evictions = 0
  let raced = 0
  for (let seed = 1; seed <= seeds; seed++) {
    const outcome = runSeed(seed)
    evictions += outcome.evictions
    raced += outcome.raced
    if (outcome.problems.length > 0) {
      failed++
      process.stdout.write(`seed ${seed}: ${outcome.problems.slice(0, 5).join('; ')}\n`)
    }
  }
  const pinned = reopenDuringEviction()
  for (const p of pinned) process.stdout.write(`reopen during eviction: ${p}\n`)
  process.stdout.write(
    `\n${seeds} seeds, ${failed} failed; ${evictions} evictions, ${raced} cards back after eviction; ` +
      `reopen-during-eviction: ${pinned.length === 0 ? 'kept' : 'LOST'}\n`,
  )
  if (failed > 0 || pinned.length > 0) process.exitCode = 1
}

main()
