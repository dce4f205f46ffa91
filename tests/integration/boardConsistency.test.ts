import {
  type BoardSnapshot,
  boardColumns,
  COLLECTION,
  collectionMap,
  createDeal,
  createTicket,
  DEALS,
  Deal,
  docName,
  initWorkspace,
  layoutBoard,
  type Pipeline,
  placeDeal,
  readRecords,
  TICKET_STATUSES,
  TICKETS,
  Ticket,
  upsertPipeline,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/**
 * Issue #10 item 4: a deal or ticket that a raw Yjs client (following docs/schema.md, or not) writes inconsistent
 * with its board is repaired by the server (broadcast and stored), and the REST board and the document layout
 * place every card in the same column.
 */
const WS = 'ws_boards'
const PIPELINE: Pipeline = {
  id: 'pip_board',
  name: 'Board',
  key: 'a0',
  stages: [
    { id: 'stg_lead', name: 'Lead', probability: 0.1, rotAfterDays: null, outcome: 'open' },
    { id: 'stg_prop', name: 'Proposal', probability: 0.5, rotAfterDays: null, outcome: 'open' },
    { id: 'stg_won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
    { id: 'stg_lost', name: 'Lost', probability: 0, rotAfterDays: null, outcome: 'lost' },
  ],
}
/** Each deal lives in its own document; the board `W/board/P` is the server's mirror of them. */
const dealDoc = (dealId: string): string => docName({ workspaceId: WS, kind: 'deal', dealId })
const BOARD_DOC = docName({ workspaceId: WS, kind: 'board', pipelineId: PIPELINE.id })
const TICKET_DOC = docName({ workspaceId: WS, kind: 'ticket', ticketId: 'tkt_board' })

let started: StartedServer
let cookie = ''
let token: () => Promise<string>
const clients: CollabClient[] = []

async function serverDoc(name: string, fn: (doc: Y.Doc) => void): Promise<void> {
  const connection = await started.server.hocuspocus.openDirectConnection(name, { system: true })
  try {
    await connection.transact(fn)
  } finally {
    await connection.disconnect()
  }
}

const open = async (name: string): Promise<CollabClient> => {
  const client = await openSyncedDoc({ wsUrl: started.wsUrl, name, token })
  clients.push(client)
  return client
}

/** A raw Yjs write of a whole record map, as an outside client would do it. */
function writeRaw(doc: Y.Doc, collection: string, record: Record<string, unknown>): void {
  doc.transact(() => {
    const fields = new Y.Map<unknown>()
    for (const [key, value] of Object.entries(record)) fields.set(key, value)
    doc.getMap<unknown>(collection).set(record.id as string, fields)
  })
}

function rawDeal(id: string, column: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    pipelineId: PIPELINE.id,
    title: `Deal ${id}`,
    accountId: null,
    contactIds: [],
    amount: 100,
    currency: 'EUR',
    ownerId: null,
    expectedCloseDate: null,
    status,
    lostReason: null,
    position: { column, key: 'a5' },
    // Now: a closed card stays on the board document for closedDays after entering its stage.
    stageEnteredAt: Date.now(),
    createdAt: 1,
    updatedAt: 1,
    archived: false,
    ...extra,
  }
}

const dealsOf = (doc: Y.Doc): Deal[] => readRecords(collectionMap(doc, DEALS), Deal).records
const dealOf = (doc: Y.Doc, id: string): Deal | undefined => dealsOf(doc).find((d) => d.id === id)

/** The stored state of a document, straight from the document store (not through a load, which would repair). */
async function storedDeal(id: string): Promise<Deal | undefined> {
  const state = await started.server.documentStore.load(dealDoc(id))
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return dealOf(doc, id)
}

async function restBoard(): Promise<Record<string, string[]>> {
  const response = await api<BoardSnapshot>(
    started.url,
    `/api/pipelines/${PIPELINE.id}/board?perColumn=100`,
    {
      method: 'GET',
      cookie,
    },
  )
  expect(response.status).toBe(200)
  return Object.fromEntries(response.body.columns.map((c) => [c.stageId, c.deals.map((d) => d.id)]))
}

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100 })
  const admin = await seedMember(started.server, {
    workspaceId: WS,
    email: 'admin@boards.test',
    role: 'admin',
  })
  ;({ cookie, token } = await signIn(started.url, admin))
  await serverDoc(docName({ workspaceId: WS, kind: 'workspace' }), (doc) => {
    initWorkspace(doc, { name: 'Boards', pipelines: [] }, 'setup')
    upsertPipeline(doc, PIPELINE, 'setup')
  })
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

describe('deals inconsistent with their board are repaired', () => {
  const cases: Array<{ name: string; deal: Record<string, unknown>; expected: Partial<Deal> }> = [
    {
      name: 'a column that is not a stage of the pipeline (won deal → first won stage, key kept)',
      deal: rawDeal('deal_gone', 'stg_deleted', 'won'),
      expected: { position: { column: 'stg_won', key: 'a5' }, status: 'won' },
    },
    {
      name: 'an open deal in an unknown column → first open stage',
      deal: rawDeal('deal_nowhere', 'nowhere', 'open'),
      expected: { position: { column: 'stg_lead', key: 'a5' }, status: 'open' },
    },
    {
      name: "a status that is not the stage's outcome (the position is the truth)",
      deal: rawDeal('deal_status', 'stg_won', 'open'),
      expected: { position: { column: 'stg_won', key: 'a5' }, status: 'won' },
    },
    {
      name: 'a lost status in an open stage',
      deal: rawDeal('deal_lost', 'stg_prop', 'lost', { lostReason: 'price' }),
      expected: { position: { column: 'stg_prop', key: 'a5' }, status: 'open', lostReason: 'price' },
    },
    {
      name: 'a pipelineId naming no pipeline → the first pipeline (by key, id)',
      deal: rawDeal('deal_pipe', 'stg_prop', 'open', { pipelineId: 'pip_other' }),
      expected: { pipelineId: PIPELINE.id, position: { column: 'stg_prop', key: 'a5' }, status: 'open' },
    },
  ]

  for (const { name, deal, expected } of cases) {
    it(name, async () => {
      const id = deal.id as string
      const writer = await open(dealDoc(id))
      const watcher = await open(dealDoc(id))
      const boardDoc = await open(BOARD_DOC)
      writeRaw(writer.doc, COLLECTION.deals, deal)
      // Broadcast: the other client and the writer itself receive the repair.
      await vi.waitFor(() => expect(dealOf(watcher.doc, id)).toMatchObject(expected), { timeout: 5_000 })
      await vi.waitFor(() => expect(dealOf(writer.doc, id)).toMatchObject(expected), { timeout: 5_000 })
      // Stored.
      await vi.waitFor(async () => expect(await storedDeal(id)).toMatchObject(expected), { timeout: 5_000 })
      // Every reader places it in the same column: the REST board, the document layout and placeDeal.
      const repaired = dealOf(watcher.doc, id) as Deal
      const column = expected.position?.column as string
      expect(placeDeal(repaired, PIPELINE.stages)).toBe(column)
      await vi.waitFor(async () => {
        const board = await restBoard()
        expect(board[column]).toContain(id)
        // The REST board (index) and the board document (the server's mirror) agree.
        expect(board).toEqual(boardColumns(boardDoc.doc, PIPELINE).columns)
      })
    })
  }

  it('a move into an unknown column of an existing deal is repaired; REST and document boards agree', async () => {
    const writer = await open(dealDoc('deal_moved'))
    const boardDoc = await open(BOARD_DOC)
    createDeal(
      writer.doc,
      { id: 'deal_moved', pipelineId: PIPELINE.id, title: 'x', stageId: 'stg_won' },
      'me',
      {
        stages: PIPELINE.stages,
      },
    )
    await waitForAcked(writer)
    const fields = writer.doc.getMap<unknown>(COLLECTION.deals).get('deal_moved') as Y.Map<unknown>
    fields.set('position', { column: 'stg_removed', key: 'a9' })
    await vi.waitFor(
      () =>
        expect(dealOf(writer.doc, 'deal_moved')).toMatchObject({
          position: { column: 'stg_won', key: 'a9' },
          status: 'won',
        }),
      { timeout: 5_000 },
    )
    await vi.waitFor(async () =>
      expect(await restBoard()).toEqual(boardColumns(boardDoc.doc, PIPELINE).columns),
    )
  })
})

describe('stored inconsistent deals', () => {
  it('are repaired when their deal document loads', async () => {
    // Written to the store while the document is not loaded (data from before this repair existed).
    const other: Pipeline = { ...PIPELINE, id: 'pip_stored', key: 'a1' }
    await serverDoc(docName({ workspaceId: WS, kind: 'workspace' }), (doc) => {
      upsertPipeline(doc, other, 'setup')
    })
    const name = dealDoc('deal_stored')
    const offline = new Y.Doc()
    const raw = rawDeal('deal_stored', 'stg_gone', 'lost', { pipelineId: other.id })
    writeRaw(offline, COLLECTION.deals, raw)
    await started.server.documentStore.store(name, Y.encodeStateAsUpdate(offline))
    const client = await open(name)
    await vi.waitFor(
      () =>
        expect(dealOf(client.doc, 'deal_stored')).toMatchObject({
          pipelineId: other.id,
          position: { column: 'stg_lost', key: 'a5' },
          status: 'lost',
        }),
      { timeout: 5_000 },
    )
  })
})

describe('a stage removed from a pipeline', () => {
  it('moves its deals, in loaded deal documents, to the stage every reader already shows them in', async () => {
    const pipeline: Pipeline = { ...PIPELINE, id: 'pip_stages', key: 'a2' }
    const workspaceDoc = docName({ workspaceId: WS, kind: 'workspace' })
    await serverDoc(workspaceDoc, (doc) => upsertPipeline(doc, pipeline, 'setup'))
    const docs = new Map<string, CollabClient>()
    for (const [id, stageId] of [
      ['deal_prop', 'stg_prop'],
      ['deal_won', 'stg_won'],
    ] as const) {
      const client = await open(dealDoc(id))
      createDeal(client.doc, { id, pipelineId: pipeline.id, title: id, stageId }, 'me', {
        stages: pipeline.stages,
      })
      await waitForAcked(client)
      docs.set(id, client)
    }
    const inOwnDoc = (id: string) => dealOf((docs.get(id) as CollabClient).doc, id)
    const remaining = pipeline.stages.filter((s) => s.id !== 'stg_prop' && s.id !== 'stg_won')
    await serverDoc(workspaceDoc, (doc) => upsertPipeline(doc, { ...pipeline, stages: remaining }, 'setup'))
    await vi.waitFor(
      () => {
        expect(inOwnDoc('deal_prop')).toMatchObject({
          position: { column: 'stg_lead' },
          status: 'open',
        })
        // No won stage left: the first open stage, and the status follows it.
        expect(inOwnDoc('deal_won')).toMatchObject({
          position: { column: 'stg_lead' },
          status: 'open',
        })
      },
      { timeout: 5_000 },
    )
  })
})

describe('tickets inconsistent with the support board are repaired', () => {
  it('an unknown status column is restored and a stray `status` field removed; every reader agrees', async () => {
    const writer = await open(TICKET_DOC)
    const watcher = await open(TICKET_DOC)
    createTicket(writer.doc, { id: 'tkt_board', subject: 'Printer', status: 'open' }, 'me')
    await waitForAcked(writer)
    const fields = writer.doc.getMap<unknown>(COLLECTION.tickets).get('tkt_board') as Y.Map<unknown>
    writer.doc.transact(() => {
      fields.set('position', { column: 'escalated', key: 'a0' })
      fields.set('status', 'resolved')
    })
    const ticketOf = (doc: Y.Doc) => readRecords(collectionMap(doc, TICKETS), Ticket).records[0]
    await vi.waitFor(
      () => {
        expect(fields.has('status')).toBe(false)
        expect(fields.get('position')).toMatchObject({ column: 'open' })
      },
      { timeout: 5_000 },
    )
    await vi.waitFor(() => expect(ticketOf(watcher.doc)?.position.column).toBe('open'), { timeout: 5_000 })
    const rest = await api<Ticket>(started.url, '/api/tickets/tkt_board', { method: 'GET', cookie })
    expect(rest.body.position.column).toBe('open')
    const layout = layoutBoard(
      readRecords(collectionMap(watcher.doc, TICKETS), Ticket).records,
      TICKET_STATUSES,
    )
    expect(layout.columns.open).toEqual(['tkt_board'])
  })
})
