/**
 * Issue #12 prototype (a, chosen board design): the deal document is the truth, the board is derived by the server.
 * Each deal is its own document (3 replicas: two clients and the server, over a seeded TestConnector); clients move
 * deals concurrently (position + status in one transaction, as `moveDeal` does); the server mirrors its replica of
 * each deal into `W/board/P` (replicated to two viewers) and evicts cards closed longer than the TTL.
 * After delivery: deal replicas converge, board replicas converge, and the board equals the mirror of the converged
 * deals — every open card exactly once, no closed card past the TTL.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/boardMirror.ts      (RAPPORT_LONG=1: 1,000 seeds)
 */
import { canonicalJson, convergenceReport, Prng, TestConnector } from '@rapport/model'
import { generateNKeysBetween } from 'fractional-indexing'
import type * as Y from 'yjs'
import { type CardPos, CLOSED_TTL_MS, encodePos, posMap, readPos } from './boardEntries.ts'
import { CLOSED_STAGES, NOW, OPEN_STAGES } from './fixtures.ts'

const DEALS = 12
const SERVER = 2
const STAGES = [...OPEN_STAGES, ...CLOSED_STAGES]

type DealState = { stageId: string; key: string; status: 'open' | 'won' | 'lost'; enteredAt: number }

function readDeal(doc: Y.Doc): DealState | undefined {
  const value = doc.getMap('record').get('move')
  return value === undefined ? undefined : (value as DealState)
}

/** `moveDeal`: stage, key, status and the time it entered the stage, as one value in the deal's own document. */
function moveDeal(doc: Y.Doc, state: DealState, origin: unknown): void {
  doc.transact(() => doc.getMap('record').set('move', state), origin)
}

/** The server's mirror of one deal: the entry it should have on the board, or undefined (not on the board). */
function entryFor(state: DealState | undefined, now: number): CardPos | undefined {
  if (state === undefined) return undefined
  if (state.status !== 'open' && now - state.enteredAt > CLOSED_TTL_MS) return undefined
  return encodePos(state.stageId, state.key, state.status, state.enteredAt)
}

function mirror(board: Y.Doc, id: string, state: DealState | undefined, now: number): void {
  const want = entryFor(state, now)
  const have = readPos(board, id)
  if (canonicalJson(want) === canonicalJson(have)) return
  board.transact(
    () => (want === undefined ? posMap(board).delete(id) : posMap(board).set(id, want)),
    'server',
  )
}

function mirrorAll(board: Y.Doc, deals: TestConnector[], now: number): void {
  for (const [id, net] of deals.entries()) mirror(board, `deal_${id}`, readDeal(net.doc(SERVER)), now)
}

function runSeed(seed: number): string[] {
  const prng = new Prng(seed)
  const deals = Array.from({ length: DEALS }, (_, i) => new TestConnector(3, seed * 100 + i))
  const boardNet = new TestConnector(3, seed)
  const board = boardNet.doc(0)
  const keys = generateNKeysBetween(null, null, DEALS)
  deals.forEach((net, i) => {
    moveDeal(
      net.doc(SERVER),
      { stageId: OPEN_STAGES[i % 4] as string, key: keys[i] as string, status: 'open', enteredAt: NOW },
      's',
    )
    net.flushAll()
  })
  let now = NOW
  for (let step = 0; step < 300; step++) {
    const i = prng.int(DEALS)
    const net = deals[i] as TestConnector
    const r = prng.next()
    if (r < 0.4) {
      const stageId = STAGES[prng.int(STAGES.length)] as string
      const status = stageId === 'stg_won' ? 'won' : stageId === 'stg_lost' ? 'lost' : 'open'
      moveDeal(
        net.doc(prng.int(2)),
        { stageId, key: keys[prng.int(DEALS)] as string, status, enteredAt: now },
        'c',
      )
    } else if (r < 0.5) net.toggleRandom()
    else if (r < 0.55) now += CLOSED_TTL_MS / 2
    else if (r < 0.65) boardNet.deliver(1 + prng.int(3))
    else net.deliver(1 + prng.int(3))
    // The mirror runs after every change the server's replica saw (here: after every step, for every deal).
    mirrorAll(board, deals, now)
  }
  for (const net of deals) net.flushAll()
  mirrorAll(board, deals, now)
  boardNet.flushAll()
  const problems = [...convergenceReport(boardNet.docs, ['pos']).map((p) => `board ${p}`)]
  deals.forEach((net, id) => {
    for (const p of convergenceReport(net.docs, ['record'])) problems.push(`deal_${id} ${p}`)
    const want = entryFor(readDeal(net.doc(SERVER)), now)
    for (const viewer of boardNet.docs) {
      if (canonicalJson(readPos(viewer, `deal_${id}`)) !== canonicalJson(want)) {
        problems.push(
          `deal_${id}: a board shows ${canonicalJson(readPos(viewer, `deal_${id}`))}, the deal says ${canonicalJson(want)}`,
        )
      }
    }
  })
  return problems
}

function main(): void {
  const seeds = process.env.RAPPORT_LONG === '1' ? 1000 : 50
  let failed = 0
  for (let seed = 1; seed <= seeds; seed++) {
    const problems = runSeed(seed)
    if (problems.length > 0) {
      failed++
      process.stdout.write(`seed ${seed}: ${problems.slice(0, 3).join('; ')}\n`)
    }
  }
  process.stdout.write(`${seeds} seeds, ${failed} failed (derived board equals the converged deals)\n`)
  if (failed > 0) process.exitCode = 1
}

main()
