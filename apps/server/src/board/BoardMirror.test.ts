import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import { Server } from '@hocuspocus/server'
import {
  archiveRecord,
  boardPosMap,
  createDeal,
  DEALS,
  moveDeal,
  readBoardEntries,
  restoreRecord,
  type Stage,
  updateRecord,
} from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { createPersistenceExtension } from '../collab/persistenceExtension.ts'
import { silentLogger } from '../log/logger.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'
import { memoryStore } from '../storage/memoryStore.ts'
import { BoardMirror } from './BoardMirror.ts'

const DAY = 86_400_000
const START = 29_166_666 * 60_000
const STAGES: Stage[] = [
  { id: 'lead', name: 'Lead', probability: 0.1, rotAfterDays: null, outcome: 'open' },
  { id: 'proposal', name: 'Proposal', probability: 0.5, rotAfterDays: null, outcome: 'open' },
  { id: 'won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
  { id: 'lost', name: 'Lost', probability: 0, rotAfterDays: null, outcome: 'lost' },
]
const BOARD = 'ws_1/board/pip_1'
const dealDoc = (id: string): string => `ws_1/deal/${id}`

/** `ws` for the provider in Node, swallowing the 'error' a browser socket would not throw (see tests' NodeWebSocket). */
class NodeWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args)
    this.on('error', () => {})
  }
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A real Hocuspocus server (listening on a free port) with persistence over `store` and the board mirror. */
async function start(store: DocumentStore = memoryStore(), regenerateBytes?: number) {
  const clock = { now: START }
  const persistence = createPersistenceExtension({
    store,
    logger: silentLogger(),
    debounceMs: 20,
    maxDebounceMs: 100,
  })
  const mirror = new BoardMirror({
    store,
    logger: silentLogger(),
    now: () => clock.now,
    sweepMs: 0,
    isDirty: (name) => persistence.isDirty(name),
    regenerateBytes,
    unloadTimeoutMs: 2_000,
  })
  const server = new Server({ port: 0, quiet: true, extensions: [persistence, mirror.extension] })
  await server.listen()
  const hocuspocus = server.hocuspocus
  cleanups.push(async () => {
    await mirror.close()
    await persistence.flushAll()
    persistence.stop()
    await server.destroy()
  })
  /** Runs `write` on a deal document through a direct connection (standing in for a client's edit). */
  const onDeal = async (id: string, write: (doc: Y.Doc) => void): Promise<void> => {
    const connection = await hocuspocus.openDirectConnection(dealDoc(id), {})
    await connection.transact((doc) => write(doc))
    await connection.disconnect()
  }
  const board = (name = BOARD) => readBoardEntries(hocuspocus.documents.get(name) ?? new Y.Doc())
  return {
    clock,
    store,
    mirror,
    hocuspocus,
    server,
    onDeal,
    board,
    url: `ws://127.0.0.1:${server.address.port}`,
  }
}

const create = (doc: Y.Doc, id: string, stageId = 'lead', now = START): void => {
  createDeal(doc, { id, pipelineId: 'pip_1', title: id, stageId }, 'client', { now, stages: STAGES })
}

function connect(url: string, name: string) {
  const socket = new HocuspocusProviderWebsocket({
    url,
    WebSocketPolyfill: NodeWebSocket,
    delay: 50,
    minDelay: 10,
    maxDelay: 200,
  })
  const doc = new Y.Doc()
  const closes: string[] = []
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name,
    document: doc,
    onClose: ({ event }) => {
      closes.push(event.reason)
    },
  })
  provider.attach()
  cleanups.push(() => {
    provider.destroy()
    socket.destroy()
  })
  return { provider, doc, closes, socket }
}

describe('BoardMirror', () => {
  it("mirrors a deal document's converged state into its pipeline's board", async () => {
    const s = await start()
    await s.onDeal('deal_1', (doc) => create(doc, 'deal_1'))
    await expect.poll(() => s.board().get('deal_1')?.stageId).toBe('lead')

    await s.onDeal('deal_1', (doc) =>
      moveDeal(doc, 'deal_1', { column: 'proposal', key: 'a5' }, 'client', { now: START, stages: STAGES }),
    )
    await expect
      .poll(() => s.board().get('deal_1'))
      .toEqual({
        stageId: 'proposal',
        key: 'a5',
        status: 'open',
        enteredAt: START,
      })

    await s.onDeal('deal_1', (doc) => archiveRecord(doc, DEALS, 'deal_1', 'client'))
    await expect.poll(() => s.board().has('deal_1')).toBe(false)
    await s.onDeal('deal_1', (doc) => restoreRecord(doc, DEALS, 'deal_1', 'client'))
    await expect.poll(() => s.board().has('deal_1')).toBe(true)

    // Moved to another pipeline: it leaves this board and appears on the other.
    await s.onDeal('deal_1', (doc) => updateRecord(doc, DEALS, 'deal_1', { pipelineId: 'pip_2' }, 'client'))
    await expect.poll(() => s.board('ws_1/board/pip_2').has('deal_1')).toBe(true)
    expect(s.board().has('deal_1')).toBe(false)

    // Deleted: gone from the board.
    await s.onDeal('deal_1', (doc) => doc.getMap('deals').delete('deal_1'))
    await expect.poll(() => s.board('ws_1/board/pip_2').has('deal_1')).toBe(false)
  })

  it('an edit that leaves the open card as it is (a title) writes nothing to the board; a move does', async () => {
    const s = await start()
    const deal = await s.hocuspocus.openDirectConnection(dealDoc('deal_1'), {})
    cleanups.push(() => deal.disconnect())
    await deal.transact((doc) => create(doc, 'deal_1'))
    await expect.poll(() => s.board().get('deal_1')?.stageId).toBe('lead')
    const boardDoc = s.hocuspocus.documents.get(BOARD)
    if (!boardDoc) throw new Error('the board is not loaded')
    let boardUpdates = 0
    let boardStores = 0
    boardDoc.on('update', () => {
      boardUpdates += 1
    })
    const storeHooks = s.hocuspocus.storeDocumentHooks.bind(s.hocuspocus)
    s.hocuspocus.storeDocumentHooks = (document, payload, immediately) => {
      if (document.name === BOARD) boardStores += 1
      return storeHooks(document, payload, immediately)
    }
    for (let i = 0; i < 5; i++) {
      await deal.transact((doc) => updateRecord(doc, DEALS, 'deal_1', { title: `Deal ${i}` }, 'client'))
      await s.mirror.flush()
    }
    expect(boardUpdates).toBe(0)
    expect(boardStores).toBe(0)

    await deal.transact((doc) =>
      moveDeal(doc, 'deal_1', { column: 'proposal', key: 'a5' }, 'client', { now: START, stages: STAGES }),
    )
    await s.mirror.flush()
    expect(s.board().get('deal_1')?.stageId).toBe('proposal')
    expect(boardUpdates).toBe(1)
    // Back where it was after an unchanged edit: still written (the entry differs from the last one queued).
    await deal.transact((doc) => updateRecord(doc, DEALS, 'deal_1', { title: 'Deal again' }, 'client'))
    await deal.transact((doc) =>
      moveDeal(doc, 'deal_1', { column: 'lead', key: 'a1' }, 'client', { now: START, stages: STAGES }),
    )
    await s.mirror.flush()
    expect(s.board().get('deal_1')).toMatchObject({ stageId: 'lead', key: 'a1' })
  })

  it('reconcile (catch-up from the index) makes a stale board equal the mirror of the given deals', async () => {
    const s = await start()
    // A live deal (loaded) and a stale board: a card of a deal that moved away, a card at an old position.
    const live = await s.hocuspocus.openDirectConnection(dealDoc('deal_live'), {})
    await live.transact((doc) => create(doc, 'deal_live'))
    await expect.poll(() => s.board().has('deal_live')).toBe(true)
    const mirrored = (stage: string, key: string, status: 'open' | 'won' = 'open') => ({
      pipelineId: 'pip_1',
      position: { column: stage, key },
      status,
      stageEnteredAt: START,
      archived: false,
    })
    expect(await s.mirror.reconcile(BOARD, new Map([['deal_gone', mirrored('lead', 'a1')]]))).toBe(1)
    expect(s.board().has('deal_gone')).toBe(true)
    expect(
      await s.mirror.reconcile(
        BOARD,
        new Map([
          ['deal_a', mirrored('proposal', 'a2')],
          ['deal_won', mirrored('won', 'a3', 'won')],
        ]),
      ),
    ).toBe(3)
    expect(s.board().has('deal_gone')).toBe(false)
    expect(s.board().get('deal_a')).toEqual({
      stageId: 'proposal',
      key: 'a2',
      status: 'open',
      enteredAt: START,
    })
    expect(s.board().get('deal_won')?.status).toBe('won')
    // The loaded deal is the live mirror's: not removed although the index did not list it.
    expect(s.board().has('deal_live')).toBe(true)
    // Current already: nothing written.
    expect(
      await s.mirror.reconcile(
        BOARD,
        new Map([
          ['deal_a', mirrored('proposal', 'a2')],
          ['deal_won', mirrored('won', 'a3', 'won')],
        ]),
      ),
    ).toBe(0)
    // Closed past closedDays: evicted by the catch-up too.
    s.clock.now = START + 8 * DAY
    expect(
      await s.mirror.reconcile(
        BOARD,
        new Map([
          ['deal_a', mirrored('proposal', 'a2')],
          ['deal_won', mirrored('won', 'a3', 'won')],
        ]),
      ),
    ).toBe(1)
    expect(s.board().has('deal_won')).toBe(false)
    await live.disconnect()
  })

  it('writes the deals changed within one batch in ONE board transaction', async () => {
    const s = await start()
    await s.onDeal('deal_0', (doc) => create(doc, 'deal_0'))
    await s.mirror.flush()
    const boardDoc = s.hocuspocus.documents.get(BOARD)
    expect(boardDoc).toBeDefined()
    let updates = 0
    boardDoc?.on('update', () => {
      updates += 1
    })
    const ids = Array.from({ length: 20 }, (_, i) => `deal_${i + 1}`)
    await Promise.all(ids.map((id) => s.onDeal(id, (doc) => create(doc, id))))
    await s.mirror.flush()
    expect(updates).toBe(1)
    expect(s.board().size).toBe(21)
  })

  it('a closed card leaves the board closedDays after entering its stage (sweep) and comes back when reopened', async () => {
    const s = await start()
    await s.onDeal('deal_1', (doc) => create(doc, 'deal_1'))
    await s.onDeal('deal_2', (doc) => create(doc, 'deal_2'))
    await s.onDeal('deal_1', (doc) =>
      moveDeal(doc, 'deal_1', { column: 'won', key: 'a0' }, 'client', { now: START, stages: STAGES }),
    )
    await s.mirror.flush()
    expect(s.board().get('deal_1')?.status).toBe('won')

    s.clock.now = START + 7 * DAY
    expect((await s.mirror.sweep()).evicted).toBe(0)
    s.clock.now = START + 8 * DAY
    expect(await s.mirror.sweep()).toEqual({ evicted: 1, regenerated: [] })
    expect([...s.board().keys()]).toEqual(['deal_2'])

    await s.onDeal('deal_1', (doc) =>
      moveDeal(doc, 'deal_1', { column: 'lead', key: 'a1' }, 'client', { now: s.clock.now, stages: STAGES }),
    )
    await expect.poll(() => s.board().get('deal_1')?.status).toBe('open')
  })

  it('a board past its size limit is regenerated: smaller stored state, same cards, clients closed and resynced', async () => {
    const store = memoryStore()
    const s = await start(store, 4_000)
    const ids = Array.from({ length: 30 }, (_, i) => `deal_${i}`)
    for (const id of ids) await s.onDeal(id, (doc) => create(doc, id))
    await s.mirror.flush()
    const client = connect(s.url, BOARD)
    await expect.poll(() => boardPosMap(client.doc).size).toBe(30)
    // Many moves leave history behind in the board.
    for (let round = 0; round < 15; round++) {
      await Promise.all(
        ids.map((id) =>
          s.onDeal(id, (doc) =>
            moveDeal(doc, id, { column: round % 2 ? 'lead' : 'proposal', key: `a${round}` }, 'client', {
              now: START + round,
              stages: STAGES,
            }),
          ),
        ),
      )
      await s.mirror.flush()
    }
    const before = Y.encodeStateAsUpdate(s.hocuspocus.documents.get(BOARD) as Y.Doc).byteLength
    expect(before).toBeGreaterThan(4_000)
    const cards = s.board()

    expect((await s.mirror.sweep()).regenerated).toEqual([BOARD])
    await expect.poll(() => client.closes).toContain('board-regenerated')
    const stored = (await store.load(BOARD)) as Uint8Array
    expect(stored.byteLength).toBeLessThan(before / 2)
    const fresh = new Y.Doc()
    Y.applyUpdate(fresh, stored)
    expect(readBoardEntries(fresh)).toEqual(cards)

    // A client that dropped its copy syncs the regenerated board, and mirroring goes on.
    const again = connect(s.url, BOARD)
    await expect.poll(() => readBoardEntries(again.doc)).toEqual(cards)
    await s.onDeal('deal_0', (doc) =>
      moveDeal(doc, 'deal_0', { column: 'won', key: 'b0' }, 'client', { now: START, stages: STAGES }),
    )
    await expect.poll(() => readBoardEntries(again.doc).get('deal_0')?.status).toBe('won')
  })

  it('a malformed deal document leaves no card and does not stop the mirror', async () => {
    const s = await start()
    await s.onDeal('deal_bad', (doc) => doc.getMap('deals').set('deal_bad', 'junk'))
    await s.onDeal('deal_ok', (doc) => create(doc, 'deal_ok'))
    await s.mirror.flush()
    expect([...s.board().keys()]).toEqual(['deal_ok'])
  })
})
