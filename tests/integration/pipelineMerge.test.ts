import {
  addStage,
  docName,
  initWorkspace,
  type Pipeline,
  readSettings,
  SETTINGS_KEY,
  settingsMap,
  updateStage,
  upsertPipeline,
} from '@rapport/model'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

/** Issue #11: two admins editing one pipeline at once both keep their edit; old clients' plain writes are converted. */
const WS = 'ws_pipemerge'
const WORKSPACE_DOC = docName({ workspaceId: WS, kind: 'workspace' })
const PIPELINE: Pipeline = {
  id: 'pip_m',
  name: 'Sales',
  key: 'a0',
  stages: [
    { id: 'stg_a', name: 'Lead', probability: 0.1, rotAfterDays: null, outcome: 'open' },
    { id: 'stg_c', name: 'Demo', probability: 0.5, rotAfterDays: null, outcome: 'open' },
    { id: 'stg_won', name: 'Won', probability: 1, rotAfterDays: null, outcome: 'won' },
  ],
}

let started: StartedServer
let admin = { cookie: '', token: async () => '' }
const clients: CollabClient[] = []

const open = async (): Promise<CollabClient> => {
  const client = await openSyncedDoc({ wsUrl: started.wsUrl, name: WORKSPACE_DOC, token: admin.token })
  clients.push(client)
  return client
}
const pipelineOf = (doc: Y.Doc) => readSettings(doc).pipelines.find((p) => p.id === PIPELINE.id)
const pipelinesMap = (doc: Y.Doc) => settingsMap(doc).get(SETTINGS_KEY.pipelines) as Y.Map<unknown>

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100 })
  admin = await signIn(
    started.url,
    await seedMember(started.server, { workspaceId: WS, email: 'admin@pipemerge.test', role: 'admin' }),
  )
  const connection = await started.server.hocuspocus.openDirectConnection(WORKSPACE_DOC, { system: true })
  await connection.transact((doc) => {
    initWorkspace(doc, { name: 'Merge', pipelines: [] }, 'setup')
    upsertPipeline(doc, PIPELINE, 'setup')
  })
  await connection.disconnect()
})
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
afterAll(() => started.stop())

describe('pipelines merge per field through the server', () => {
  it('admin 1 renames stage A and changes stage C while admin 2 (from the same state) adds a stage and renames C', async () => {
    const one = await open()
    const two = await open()
    // Admin 2 edits a copy made before admin 1's edits arrive (offline, or simply at the same moment).
    const offline = new Y.Doc()
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(two.doc))
    updateStage(one.doc, PIPELINE.id, 'stg_a', { name: 'Inbound lead' }, 'admin-1')
    updateStage(one.doc, PIPELINE.id, 'stg_c', { probability: 0.6 }, 'admin-1')
    await waitForAcked(one)
    addStage(offline, PIPELINE.id, { id: 'stg_b', name: 'Qualified', probability: 0.3 }, 'admin-2', 1)
    updateStage(offline, PIPELINE.id, 'stg_c', { name: 'Live demo' }, 'admin-2')
    Y.applyUpdate(two.doc, Y.encodeStateAsUpdate(offline, Y.encodeStateVector(two.doc)))
    await waitForAcked(two)
    const expected = [
      { id: 'stg_a', name: 'Inbound lead', probability: 0.1 },
      { id: 'stg_b', name: 'Qualified', probability: 0.3 },
      { id: 'stg_c', name: 'Live demo', probability: 0.6 },
      { id: 'stg_won', name: 'Won', probability: 1 },
    ]
    const slim = (p: Pipeline | undefined) =>
      p?.stages.map(({ id, name, probability }) => ({ id, name, probability }))
    await vi.waitFor(() => {
      expect(slim(pipelineOf(one.doc))).toEqual(expected)
      expect(slim(pipelineOf(two.doc))).toEqual(expected)
    })
    const rest = await api<{ pipelines: Pipeline[] }>(started.url, '/api/settings', { cookie: admin.cookie })
    expect(slim(rest.body.pipelines.find((p) => p.id === PIPELINE.id))).toEqual(expected)
  })

  it('an old client writing a whole plain pipeline: everyone reads it and the server converts it to maps', async () => {
    const oldTab = await open()
    const other = await open()
    const current = pipelineOf(oldTab.doc) as Pipeline
    const plain = { ...current, name: 'Sales (old tab)' }
    oldTab.doc.transact(() => pipelinesMap(oldTab.doc).set(PIPELINE.id, plain))
    await vi.waitFor(() => {
      expect(pipelinesMap(other.doc).get(PIPELINE.id)).toBeInstanceOf(Y.Map)
      expect(pipelinesMap(oldTab.doc).get(PIPELINE.id)).toBeInstanceOf(Y.Map)
    })
    expect(pipelineOf(other.doc)).toEqual(plain)
    expect(pipelineOf(oldTab.doc)).toEqual(plain)
    const rest = await api<{ pipelines: Pipeline[] }>(started.url, '/api/settings', { cookie: admin.cookie })
    expect(rest.body.pipelines.find((p) => p.id === PIPELINE.id)).toEqual(plain)
  })
})
