import { docName, plainPipeline } from '@rapport/model'
import * as Y from 'yjs'
import { z } from 'zod'
import { apiGet, collabToken, DEMO_LOGIN, login, type RapportSession } from './rapportSession.ts'
import { SyncClient } from './SyncClient.ts'
import type { BenchServer } from './servers.ts'

/**
 * What the clients edit. The same document names and record shapes are used against all three servers,
 * so the baselines carry exactly the bytes Rapport carries. Records are written in the model's layout
 * (`doc.getMap(collection)` → `Y.Map<id, Y.Map<field, value>>`, see docs/schema.md) with every field the
 * model's schemas require, so Rapport's validation keeps them.
 */
export type Workload = {
  server: BenchServer
  /** Hocuspocus auth token (Rapport: a collab token, valid 10 minutes; bare Hocuspocus: empty). */
  token: string
  /**
   * Rapport: the session cookie of the bench user, to fetch fresh collab tokens as the web app does for a long-lived
   * client (`POST /api/auth/collab-token`); null for the baselines.
   */
  sessionCookie: string | null
  /**
   * The latency probe's document: the probe deal's own `<workspaceId>/deal/<PROBE_DEAL_ID>` (issue #12: a deal lives in
   * its own document; the pipeline document is retired), holding `getMap('deals')` with that one entry.
   */
  probeDoc: string
  workspaceId: string
  pipelineId: string
  stageId: string
  /** Every stage of the pipeline, in order. */
  stageIds: string[]
  /** Account-room documents (`<workspaceId>/account/<accountId>`), for the many-documents runs. */
  roomDocs: string[]
  /**
   * The account the latency probe deal belongs to: on Rapport a real account, so every probe edit also goes through
   * the audit path (a field-change entry in that account's room).
   */
  probeAccountId: string
}

export const LOCAL = Symbol('bench-local')

/** The deal every latency round edits (and the feed phase's probe): its id names its document. */
export const PROBE_DEAL_ID = 'deal_bench_latency'

const probeDocOf = (workspaceId: string) => docName({ workspaceId, kind: 'deal', dealId: PROBE_DEAL_ID })

export function newClient(w: Workload, docName: string): SyncClient {
  return new SyncClient({ protocol: w.server.protocol, url: w.server.wsUrl, docName, token: w.token })
}

/** Creates a deal record (if missing) in the model's layout, in one transaction. */
export function ensureDeal(
  doc: Y.Doc,
  id: string,
  pipelineId: string,
  stageId: string,
  title: string,
  accountId: string | null = null,
): void {
  const deals = doc.getMap<Y.Map<unknown>>('deals')
  if (deals.has(id)) return
  const now = Date.now()
  doc.transact(() => {
    const rec = new Y.Map<unknown>()
    deals.set(id, rec)
    const fields: Record<string, unknown> = {
      id,
      createdAt: now,
      updatedAt: now,
      archived: false,
      pipelineId,
      title,
      accountId,
      contactIds: [],
      amount: 1000,
      currency: 'EUR',
      ownerId: null,
      expectedCloseDate: null,
      status: 'open',
      lostReason: null,
      position: { column: stageId, key: 'a0' },
      stageEnteredAt: now,
    }
    for (const [k, v] of Object.entries(fields)) rec.set(k, v)
  }, LOCAL)
}

/** Creates a task record (if missing) in an account room, in one transaction. */
export function ensureTask(doc: Y.Doc, id: string, title: string): void {
  const tasks = doc.getMap<Y.Map<unknown>>('tasks')
  if (tasks.has(id)) return
  const now = Date.now()
  doc.transact(() => {
    const rec = new Y.Map<unknown>()
    tasks.set(id, rec)
    const fields: Record<string, unknown> = {
      id,
      createdAt: now,
      updatedAt: now,
      archived: false,
      title,
      done: false,
      assigneeId: null,
      dueDate: null,
      dealId: null,
    }
    for (const [k, v] of Object.entries(fields)) rec.set(k, v)
  }, LOCAL)
}

/** Sets one field of a record (the edit every benchmark sends: one small Y.Map set). */
export function setField(doc: Y.Doc, collection: string, id: string, field: string, value: unknown): boolean {
  const rec = doc.getMap<Y.Map<unknown>>(collection).get(id)
  if (!rec) return false
  doc.transact(() => rec.set(field, value), LOCAL)
  return true
}

export function getField(doc: Y.Doc, collection: string, id: string, field: string): unknown {
  return doc.getMap<Y.Map<unknown>>(collection).get(id)?.get(field)
}

/** Calls `fn(recordId)` for every record of a collection whose `field` changed remotely. */
export function onFieldChange(
  doc: Y.Doc,
  collection: string,
  field: string,
  fn: (recordId: string, value: unknown) => void,
): void {
  doc.getMap<Y.Map<unknown>>(collection).observeDeep((events) => {
    for (const ev of events) {
      if (ev.transaction.origin === LOCAL) continue
      if (ev.path.length === 1 && ev instanceof Y.YMapEvent && ev.keysChanged.has(field)) {
        const id = String(ev.path[0])
        fn(id, (ev.target as Y.Map<unknown>).get(field))
      } else if (ev.path.length === 0 && ev instanceof Y.YMapEvent) {
        for (const id of ev.keysChanged) {
          const rec = (ev.target as Y.Map<Y.Map<unknown>>).get(id)
          if (rec) fn(id, rec.get(field))
        }
      }
    }
  })
}

const BENCH_WORKSPACE = 'ws_bench'

/** Names for the baselines: the same shapes as Rapport's (`ws_bench/deal/deal_bench_latency`, account rooms). */
export function baselineWorkload(server: BenchServer, rooms: number): Workload {
  return {
    server,
    token: '',
    sessionCookie: null,
    probeDoc: probeDocOf(BENCH_WORKSPACE),
    workspaceId: BENCH_WORKSPACE,
    pipelineId: 'pl_bench',
    stageId: 'stg_lead',
    stageIds: ['stg_lead'],
    roomDocs: roomNames(BENCH_WORKSPACE, rooms),
    probeAccountId: 'acc_bench_probe',
  }
}

function roomNames(workspaceId: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    docName({ workspaceId, kind: 'account', accountId: `acc_bench_${i}` }),
  )
}

const PipelineValue = z.object({
  id: z.string(),
  key: z.string().optional(),
  stages: z.array(z.object({ id: z.string() })).min(1),
})

/**
 * Rapport: log in as the demo sales user through the API, get a collab token, and read the first
 * pipeline (and its first stage) from the workspace document.
 */
export async function rapportWorkload(server: BenchServer, rooms: number): Promise<Workload> {
  const session = await login(server.url, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const token = await collabToken(server.url, session)
  const ws = new SyncClient({
    protocol: 'hocuspocus',
    url: server.wsUrl,
    docName: docName({ workspaceId: session.workspaceId, kind: 'workspace' }),
    token,
  })
  await ws.connect()
  const pipelines = ws.doc.getMap('settings').get('pipelines')
  const values =
    pipelines instanceof Y.Map
      ? [...pipelines.values()].map((v) => PipelineValue.safeParse(plainPipeline(v)))
      : []
  await ws.close()
  const first = values
    .flatMap((p) => (p.success ? [p.data] : []))
    .sort((a, b) => ((a.key ?? a.id) < (b.key ?? b.id) ? -1 : 1))[0]
  if (!first) throw new Error('Rapport workspace has no pipeline (is the demo seed on?)')
  return {
    server,
    token,
    sessionCookie: session.cookie,
    probeDoc: probeDocOf(session.workspaceId),
    workspaceId: session.workspaceId,
    pipelineId: first.id,
    stageId: first.stages[0]?.id ?? 'stg_lead',
    stageIds: first.stages.map((s) => s.id),
    roomDocs: roomNames(session.workspaceId, rooms),
    probeAccountId: await firstAccountId(server.url, session),
  }
}

/** The id of the first account `GET /api/accounts` lists (the demo seed has 60). */
async function firstAccountId(url: string, session: RapportSession): Promise<string> {
  const { status, body } = await apiGet(url, session, '/api/accounts?limit=1&sort=name')
  const id = z.object({ items: z.array(z.object({ id: z.string() })) }).safeParse(body).data?.items[0]?.id
  if (status !== 200 || !id)
    throw new Error(`GET /api/accounts: ${status}, no account to attach the probe deal to`)
  return id
}
