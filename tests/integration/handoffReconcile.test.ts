import { readFile, rm } from 'node:fs/promises'
import {
  Activity,
  collectionMap,
  createAccount,
  createDeal,
  defaultPipelines,
  docName,
  HANDOFFS,
  Handoff,
  initWorkspace,
  NOTIFICATIONS,
  Notification,
  type Pipeline,
  readRecords,
  TIMELINE,
} from '@rapport/model'
import { RECHECK_MARGIN_MS, SQLITE_DOCUMENTS_FILE, sqliteStore } from '@rapport/server'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seedMember } from './helpers/clients.ts'
import { newDataDir, type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_reconcile'
const running: StartedServer[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop()
})

const start = async (dataDir: string): Promise<StartedServer> => {
  const started = await startServer({ dataDir })
  running.push(started)
  return started
}
const stop = async (started: StartedServer): Promise<void> => {
  running.splice(running.indexOf(started), 1)
  await started.stop({ keep: true })
}

const encode = (build: (doc: Y.Doc) => void): Uint8Array => {
  const doc = new Y.Doc()
  build(doc)
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

/**
 * Appends to the update logs of documents, as an acknowledged edit the server died on before its automation ran (the
 * start-up catch-up indexes logged documents; a stored state is always indexed already).
 */
async function writeStore(dataDir: string, docs: Record<string, Uint8Array>): Promise<void> {
  const store = sqliteStore({ file: `${dataDir}/${SQLITE_DOCUMENTS_FILE}` })
  for (const [name, state] of Object.entries(docs)) await store.appendUpdate(name, state)
  await store.close()
}

async function serverRead<T>(started: StartedServer, name: string, read: (doc: Y.Doc) => T): Promise<T> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  try {
    return read(connection.document as Y.Doc)
  } finally {
    await connection.disconnect()
  }
}

const room = (accountId: string) => docName({ workspaceId: WS, kind: 'account', accountId })
const handoffs = (started: StartedServer, accountId: string) =>
  serverRead(started, room(accountId), (doc) => readRecords(collectionMap(doc, HANDOFFS), Handoff).records)

/** A workspace with one pipeline, accounts and a deal already Won, in stored form (no automation ran). */
function wonDealDocs(
  pipeline: Pipeline,
  ownerId: string,
  deals: Array<{ id: string; accountId: string; at?: number }>,
) {
  const won = pipeline.stages.find((s) => s.outcome === 'won')
  if (!won) throw new Error('no won stage')
  return {
    // Each account in its room.
    ...Object.fromEntries(
      deals.map((d) => [
        room(d.accountId),
        encode((doc) => {
          createAccount(doc, { id: d.accountId, name: `Reconcile ${d.accountId}`, ownerId }, 'x')
        }),
      ]),
    ),
    // Each deal in its own document.
    ...Object.fromEntries(
      deals.map((d) => [
        docName({ workspaceId: WS, kind: 'deal', dealId: d.id }),
        encode((doc) => {
          createDeal(
            doc,
            {
              id: d.id,
              pipelineId: pipeline.id,
              title: `Won ${d.id}`,
              stageId: won.id,
              accountId: d.accountId,
              ownerId,
            },
            'x',
            { stages: pipeline.stages, ...(d.at !== undefined && { now: d.at }) },
          )
        }),
      ]),
    ),
  }
}

describe('won deal reconcile (automation durability)', () => {
  it('a won deal stored without its handoff gets exactly one draft at startup, and the owner is told', async () => {
    const dataDir = await newDataDir()
    const first = await start(dataDir)
    const owner = await seedMember(first.server, {
      workspaceId: WS,
      email: 'owner@reconcile.test',
      role: 'sales',
    })
    await stop(first)

    const [pipeline] = defaultPipelines() as [Pipeline]
    await writeStore(dataDir, {
      [docName({ workspaceId: WS, kind: 'workspace' })]: encode((doc) => {
        initWorkspace(doc, { name: 'Reconcile', pipelines: [pipeline] }, 'x')
      }),
      ...wonDealDocs(pipeline, owner.id, [{ id: 'deal_r1', accountId: 'acc_r1' }]),
    })

    const second = await start(dataDir)
    await expect
      .poll(async () => (await handoffs(second, 'acc_r1')).map((h) => h.id))
      .toEqual(['hof_won_deal_r1'])
    await second.server.automation.idle()
    const [handoff] = await handoffs(second, 'acc_r1')
    expect(handoff).toMatchObject({
      dealId: 'deal_r1',
      accountId: 'acc_r1',
      status: 'draft',
      toTeam: 'support',
    })
    const timeline = await serverRead(second, room('acc_r1'), (doc) =>
      readRecords(collectionMap(doc, TIMELINE), Activity).records.filter((a) => a.type === 'handoff'),
    )
    expect(timeline).toHaveLength(1)
    const inbox = await serverRead(
      second,
      docName({ workspaceId: WS, kind: 'inbox', userId: owner.id }),
      (doc) => readRecords(collectionMap(doc, NOTIFICATIONS), Notification).records,
    )
    expect(inbox.filter((n) => n.link.handoffId === 'hof_won_deal_r1')).toHaveLength(1)
    await stop(second)

    // A further restart (and loading the deal again) finds the draft and creates nothing more.
    const third = await start(dataDir)
    await serverRead(third, docName({ workspaceId: WS, kind: 'deal', dealId: 'deal_r1' }), () => null)
    await third.server.automation.idle()
    expect((await handoffs(third, 'acc_r1')).map((h) => h.id)).toEqual(['hof_won_deal_r1'])
  })

  it('a deal document loaded later reconciles its won deal', async () => {
    const dataDir = await newDataDir()
    const started = await start(dataDir)
    await started.server.automation.idle()
    // A deal the running server has never seen (not in the projection, not loaded) appears in the store.
    const pipeline = { ...(defaultPipelines()[0] as Pipeline), id: 'pl_late' }
    const docs = wonDealDocs(pipeline, 'usr_nobody', [{ id: 'deal_r2', accountId: 'acc_r2' }])
    const dealName = docName({ workspaceId: WS, kind: 'deal', dealId: 'deal_r2' })
    const state = docs[dealName]
    if (!state) throw new Error('missing deal state')
    await started.server.documentStore.store(dealName, state)
    expect(await handoffs(started, 'acc_r2')).toEqual([])

    await serverRead(started, dealName, () => null)
    await expect
      .poll(async () => (await handoffs(started, 'acc_r2')).map((h) => h.id))
      .toEqual(['hof_won_deal_r2'])
  })

  it('at startup only won deals changed since the last startup check (minus a day) are checked; without the state, all', async () => {
    const dataDir = await newDataDir()
    const first = await start(dataDir)
    const owner = await seedMember(first.server, {
      workspaceId: WS,
      email: 'owner2@reconcile.test',
      role: 'sales',
    })
    await first.server.automation.idle()
    await stop(first)
    const state = JSON.parse(await readFile(`${dataDir}/won-deals.json`, 'utf8')) as { checkedAt: number }
    expect(state.checkedAt).toBeGreaterThan(Date.now() - 60_000)

    // Two won deals without their drafts: one changed long before that check (as if a check had missed it), one now.
    const [pipeline] = defaultPipelines() as [Pipeline]
    const old = state.checkedAt - RECHECK_MARGIN_MS - 60_000
    await writeStore(dataDir, {
      [docName({ workspaceId: WS, kind: 'workspace' })]: encode((doc) => {
        initWorkspace(doc, { name: 'Reconcile', pipelines: [pipeline] }, 'x')
      }),
      ...wonDealDocs(pipeline, owner.id, [
        { id: 'deal_old', accountId: 'acc_old', at: old },
        { id: 'deal_new', accountId: 'acc_new' },
      ]),
    })
    const second = await start(dataDir)
    await expect
      .poll(async () => (await handoffs(second, 'acc_new')).map((h) => h.id))
      .toEqual(['hof_won_deal_new'])
    await second.server.automation.idle()
    expect(await handoffs(second, 'acc_old')).toEqual([])
    await stop(second)

    // Without the state file the next start checks every won deal.
    await rm(`${dataDir}/won-deals.json`)
    const third = await start(dataDir)
    await expect
      .poll(async () => (await handoffs(third, 'acc_old')).map((h) => h.id))
      .toEqual(['hof_won_deal_old'])
  })
})
