import {
  createDeal,
  defaultPipelines,
  docName,
  encodeBoardEntry,
  initWorkspace,
  type Pipeline,
  readBoardEntries,
} from '@rapport/model'
import { SQLITE_DOCUMENTS_FILE, sqliteStore } from '@rapport/server'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seedMember, signIn } from './helpers/clients.ts'
import { openSyncedDoc } from './helpers/collabClient.ts'
import { newDataDir, type StartedServer, startServer } from './helpers/startServer.ts'

/**
 * Issue #12: the board `W/board/P` is derived from the deal documents; the server mirrors each change while the deal
 * is loaded. A crash between storing a deal's change and mirroring it (or a deal written while the server was down)
 * leaves the stored board stale: at the next start the board catch-up makes it equal the mirror of the pipeline's
 * deals as the record index holds them — unless nothing was indexed since a clean stop left every board current.
 */
const WS = 'ws_boardcatchup'
const running: StartedServer[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop()
})

const encode = (build: (doc: Y.Doc) => void): Uint8Array => {
  const doc = new Y.Doc()
  build(doc)
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

describe('board catch-up at start', () => {
  it('a stale stored board is made equal to the mirror of the indexed deals; a current one is not written', async () => {
    const dataDir = await newDataDir()
    const first = await startServer({ dataDir })
    running.push(first)
    const admin = await seedMember(first.server, {
      workspaceId: WS,
      email: 'admin@catchup.test',
      role: 'admin',
    })
    running.splice(0)
    await first.stop({ keep: true })

    const [pipeline] = defaultPipelines() as [Pipeline]
    const [lead, second] = pipeline.stages
    const board = docName({ workspaceId: WS, kind: 'board', pipelineId: pipeline.id })
    const store = sqliteStore({ file: `${dataDir}/${SQLITE_DOCUMENTS_FILE}` })
    await store.store(
      docName({ workspaceId: WS, kind: 'workspace' }),
      encode((doc) => initWorkspace(doc, { name: 'Catch-up', pipelines: [pipeline] }, 'x')),
    )
    // Two deals stored while nothing mirrored them (the log: acknowledged edits the server died on).
    for (const [id, stageId] of [
      ['deal_new', lead?.id],
      ['deal_moved', second?.id],
    ] as const) {
      await store.appendUpdate(
        docName({ workspaceId: WS, kind: 'deal', dealId: id }),
        encode((doc) =>
          createDeal(doc, { id, pipelineId: pipeline.id, title: id, stageId: stageId ?? '' }, 'x', {
            stages: pipeline.stages,
          }),
        ),
      )
    }
    // The stored board still shows a deleted deal and `deal_moved` where it was before.
    await store.store(
      board,
      encode((doc) => {
        const pos = doc.getMap('pos')
        pos.set(
          'deal_gone',
          encodeBoardEntry({ stageId: lead?.id ?? '', key: 'a0', status: 'open', enteredAt: 0 }),
        )
        pos.set(
          'deal_moved',
          encodeBoardEntry({ stageId: lead?.id ?? '', key: 'a9', status: 'open', enteredAt: 0 }),
        )
      }),
    )
    await store.close()

    const restarted = await startServer({ dataDir })
    running.push(restarted)
    const caughtUp = await restarted.server.boardsCaughtUp
    expect(caughtUp.changed).toBe(3)
    const { token } = await signIn(restarted.url, admin)
    const client = await openSyncedDoc({ wsUrl: restarted.wsUrl, name: board, token })
    try {
      const entries = readBoardEntries(client.doc)
      expect([...entries.keys()].sort()).toEqual(['deal_moved', 'deal_new'])
      expect(entries.get('deal_moved')?.stageId).toBe(second?.id)
      expect(entries.get('deal_new')?.stageId).toBe(lead?.id)
    } finally {
      client.destroy()
    }
    running.splice(0)
    await restarted.stop({ keep: true })

    // The next start finds every board current: nothing is written. Nothing was indexed since the clean stop, so it
    // does not even read the deals (board/boardsCurrent.ts).
    const third = await startServer({ dataDir })
    running.push(third)
    expect(await third.server.boardsCaughtUp).toEqual({ boards: 0, changed: 0, failed: 0, skipped: true })
    running.splice(0)
    await third.stop({ keep: true })

    // A deal acknowledged after that stop but never mirrored (only in the log): the index catch-up takes it in, its
    // seq is past the mark, and the boards' catch-up runs again.
    const again = sqliteStore({ file: `${dataDir}/${SQLITE_DOCUMENTS_FILE}` })
    await again.appendUpdate(
      docName({ workspaceId: WS, kind: 'deal', dealId: 'deal_late' }),
      encode((doc) =>
        createDeal(
          doc,
          { id: 'deal_late', pipelineId: pipeline.id, title: 'deal_late', stageId: lead?.id ?? '' },
          'x',
          { stages: pipeline.stages },
        ),
      ),
    )
    await again.close()
    const fourth = await startServer({ dataDir })
    running.push(fourth)
    expect(await fourth.server.boardsCaughtUp).toEqual({ boards: 1, changed: 1, failed: 0, skipped: false })
    const late = await openSyncedDoc({
      wsUrl: fourth.wsUrl,
      name: board,
      token: (await signIn(fourth.url, admin)).token,
    })
    try {
      expect([...readBoardEntries(late.doc).keys()].sort()).toEqual(['deal_late', 'deal_moved', 'deal_new'])
    } finally {
      late.destroy()
    }
  }, 60_000)
})
