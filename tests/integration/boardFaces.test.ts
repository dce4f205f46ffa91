import {
  BOARD_FACE_FIELDS,
  type BoardFaces,
  boardFaceOfRow,
  type Deal,
  defaultPipelines,
  docName,
  initWorkspace,
  type Pipeline,
  readBoardEntries,
} from '@rapport/model'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/**
 * Issue #12: `GET /api/pipelines/:pipelineId/board/faces` gives every card of `W/board/P` with its face and place,
 * from the record index, in one response (docs/schema.md §4.2, §5).
 */
const WS = 'ws_faces'
const OTHER = 'ws_faces_other'
const DAY = 86_400_000

let started: StartedServer
let clock = 0
let cookie = ''
let token: () => Promise<string>
let otherCookie = ''
let pipeline: Pipeline
const clients: CollabClient[] = []

async function initPipelines(workspaceId: string, pipelines: Pipeline[]): Promise<void> {
  const connection = await started.server.hocuspocus.openDirectConnection(
    docName({ workspaceId, kind: 'workspace' }),
    { system: true },
  )
  await connection.transact((doc) => {
    initWorkspace(doc, { name: workspaceId, pipelines }, 'test-setup')
  })
  await connection.disconnect()
}

const get = <T>(path: string, as = cookie) => api<T>(started.url, path, { cookie: as })
const post = <T>(path: string, body: unknown, as = cookie) =>
  api<T>(started.url, path, { method: 'POST', cookie: as, body })
const faces = async (as = cookie) => {
  const response = await get<BoardFaces>(`/api/pipelines/${pipeline.id}/board/faces`, as)
  expect(response.status).toBe(200)
  return response.body
}

beforeAll(async () => {
  // The server's clock: the test moves it past closedDays.
  started = await startServer({ now: () => Date.now() + clock })
  const admin = await seedMember(started.server, {
    workspaceId: WS,
    email: 'admin@faces.test',
    role: 'admin',
  })
  const other = await seedMember(started.server, {
    workspaceId: OTHER,
    email: 'admin@faces-other.test',
    role: 'admin',
  })
  ;({ cookie, token } = await signIn(started.url, admin))
  otherCookie = (await signIn(started.url, other)).cookie
  // Both workspaces have a pipeline with the same id: a workspace's faces must still be its own only.
  const pipelines = defaultPipelines()
  pipeline = pipelines[0] as Pipeline
  await initPipelines(WS, pipelines)
  await initPipelines(OTHER, pipelines)
})
afterAll(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await started.stop()
})

describe('GET /api/pipelines/:pipelineId/board/faces', () => {
  it('gives every card of the board with a face equal to its record; archived, closed-long-ago and other workspaces’ cards are absent', async () => {
    const stages = pipeline.stages
    const open = stages.filter((s) => s.outcome === 'open')
    const won = stages.find((s) => s.outcome === 'won')
    const lost = stages.find((s) => s.outcome === 'lost')
    if (!won || !lost || open.length < 2)
      throw new Error('the default pipeline needs open, won and lost stages')

    const accounts: string[] = []
    for (const name of ['Faces Alpha', 'Faces Beta "quoted"', 'Faces Γάμμα']) {
      const created = await post<{ id: string }>('/api/accounts', { name })
      expect(created.status).toBe(201)
      accounts.push(created.body.id)
    }
    const ids: string[] = []
    for (let i = 0; i < 24; i++) {
      const created = await post<{ id: string }>('/api/deals', {
        pipelineId: pipeline.id,
        stageId: open[i % open.length]?.id,
        title: `Faces deal ${i} ${'é'.repeat(i % 3)}`,
        amount: 1000 + i * 37.5,
        currency: i % 2 === 0 ? 'EUR' : 'USD',
        accountId: i % 4 === 3 ? null : accounts[i % accounts.length],
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      ids.push(created.body.id)
    }
    const [archivedId, wonId, lostId] = ids as [string, string, string]
    expect((await post(`/api/deals/${archivedId}/archive`, {})).status).toBe(200)
    expect((await post(`/api/deals/${wonId}/move`, { stageId: won.id })).status).toBe(200)
    expect((await post(`/api/deals/${lostId}/move`, { stageId: lost.id, lostReason: 'Price' })).status).toBe(
      200,
    )
    // Another workspace's deals in a pipeline with the same id.
    const foreign: string[] = []
    for (let i = 0; i < 3; i++) {
      const created = await post<{ id: string }>(
        '/api/deals',
        { pipelineId: pipeline.id, stageId: open[0]?.id, title: `Other ${i}` },
        otherCookie,
      )
      expect(created.status).toBe(201)
      foreign.push(created.body.id)
    }

    const body = await faces()
    expect(body.pipelineId).toBe(pipeline.id)
    expect(body.fields).toEqual([...BOARD_FACE_FIELDS])
    const cards = body.cards.map(boardFaceOfRow)
    const shown = cards.map((c) => c.id).sort()
    expect(shown).toEqual(ids.filter((id) => id !== archivedId).sort())
    for (const id of foreign) expect(shown).not.toContain(id)
    // Every face equals the deal's record, field by field.
    for (const card of cards) {
      const deal = (await get<Deal>(`/api/deals/${card.id}`)).body
      expect(card).toEqual({
        id: deal.id,
        title: deal.title,
        amount: deal.amount,
        currency: deal.currency,
        accountId: deal.accountId,
        ownerId: deal.ownerId,
        position: deal.position,
        status: deal.status,
        stageEnteredAt: deal.stageEnteredAt,
      })
    }
    expect(cards.find((c) => c.id === wonId)?.status).toBe('won')
    expect(cards.find((c) => c.id === lostId)?.status).toBe('lost')
    // The accounts of the cards, named.
    const accountNames = Object.fromEntries(
      await Promise.all(
        accounts.map(async (id) => [id, (await get<{ name: string }>(`/api/accounts/${id}`)).body.name]),
      ),
    )
    expect(body.accounts).toEqual(accountNames)

    // The same cards, in the same places, as the board document the server derives.
    const board = await openSyncedDoc({
      wsUrl: started.wsUrl,
      name: docName({ workspaceId: WS, kind: 'board', pipelineId: pipeline.id }),
      token,
    })
    clients.push(board)
    await expect
      .poll(() =>
        [...readBoardEntries(board.doc)].map(([id, e]) => `${id}:${e.stageId}:${e.key}:${e.status}`).sort(),
      )
      .toEqual(cards.map((c) => `${c.id}:${c.position.column}:${c.position.key}:${c.status}`).sort())

    // The other workspace sees its own cards only.
    const theirs = await faces(otherCookie)
    expect(theirs.cards.map((row) => row[0]).sort()).toEqual([...foreign].sort())
    expect(Object.keys(theirs.accounts)).toEqual([])

    // Past closedDays (default 7) the won and lost cards leave; open ones stay.
    clock = 8 * DAY
    try {
      const later = (await faces()).cards.map((row) => row[0]).sort()
      expect(later).toEqual(ids.filter((id) => ![archivedId, wonId, lostId].includes(id)).sort())
    } finally {
      clock = 0
    }
  })

  it('answers in plain words for an unknown pipeline, no session or a malformed id', async () => {
    const unknown = await get<{ error: { code: string; message: string } }>(
      '/api/pipelines/pipe_missing/board/faces',
    )
    expect(unknown.status).toBe(404)
    expect(unknown.body.error).toEqual({ code: 'not_found', message: 'pipeline pipe_missing not found' })
    expect((await api(started.url, `/api/pipelines/${pipeline.id}/board/faces`)).status).toBe(401)
    const long = await get(`/api/pipelines/${'p'.repeat(65)}/board/faces`)
    expect(long.status).toBe(400)
  })
})
