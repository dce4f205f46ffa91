import { createServer as createHttpServer, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { Hocuspocus } from '@hocuspocus/server'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'
import { WebSocketServer } from 'ws'
import { archiveRoutes } from './archive/archiveRoutes.ts'
import {
  DeletedDocuments,
  deletedDocumentsExtension,
  deleteRememberedDocuments,
  liveDocumentsStore,
  removeEmptyRecordDocument,
} from './archive/deletedDocuments.ts'
import { createAccountServices } from './auth/accountServices.ts'
import { type AuthServices, createAuthServices } from './auth/authServices.ts'
import { Automation } from './automation/Automation.ts'
import { BoardMirror } from './board/BoardMirror.ts'
import { catchUpBoards } from './board/boardCatchUp.ts'
import { boardFacesRoutes } from './board/boardFacesRoute.ts'
import { boardsAreCurrent, readBoardsCurrent, writeBoardsCurrent } from './board/boardsCurrent.ts'
import { createAudit } from './collab/auditExtension.ts'
import { createAuthExtension } from './collab/authExtension.ts'
import { automationExtension } from './collab/automationExtension.ts'
import { awarenessAtArrivalExtension } from './collab/awarenessAtArrival.ts'
import { historyGuardExtension } from './collab/historyGuardExtension.ts'
import { createLimitsExtension, type LimitsExtension } from './collab/limitsExtension.ts'
import { LiveEdits } from './collab/liveEdits.ts'
import { createLoggingExtension } from './collab/loggingExtension.ts'
import { createPersistenceExtension, type PersistenceExtension } from './collab/persistenceExtension.ts'
import { pipelineMigrationExtension } from './collab/pipelineMigration.ts'
import { projectionExtension } from './collab/projectionExtension.ts'
import { isRetiredDoc, retiredDocumentsExtension } from './collab/retiredDocuments.ts'
import { validationExtension } from './collab/validationExtension.ts'
import { DuplicateLog } from './duplicates/DuplicateLog.ts'
import { DuplicateService } from './duplicates/DuplicateService.ts'
import { duplicateRoutes } from './duplicates/duplicateRoutes.ts'
import { MergeService } from './duplicates/MergeService.ts'
import { ContactData } from './export/contactData.ts'
import { exportRoutes } from './export/exportRoutes.ts'
import { FeedHub, type FeedInput } from './feed/FeedHub.ts'
import { feedExtension } from './feed/feedExtension.ts'
import { feedRoutes } from './feed/feedRoutes.ts'
import { createAttributionExtension } from './history/attributionExtension.ts'
import { historyRoutes } from './history/historyRoutes.ts'
import { type HistoryTiming, RoomHistory } from './history/RoomHistory.ts'
import { lowdbVersionStore } from './history/VersionStore.ts'
import { type AppEnv, createApp } from './http/app.ts'
import { type HealthReport, healthRoutes } from './http/health.ts'
import { openApiRoutes } from './http/openapi.ts'
import { accountRoutes } from './http/routes/account.ts'
import { authRoutes } from './http/routes/auth.ts'
import { handoffRoutes } from './http/routes/handoffs.ts'
import { memberRoutes } from './http/routes/members.ts'
import { recordsRoutes } from './http/routes/records.ts'
import { roomStateRoutes } from './http/routes/roomState.ts'
import { sessionMiddleware } from './http/sessionMiddleware.ts'
import { mountStatic } from './http/static.ts'
import { MAX_IMPORT_BYTES } from './imports/csvFile.ts'
import { ImportJobs } from './imports/ImportJobs.ts'
import { importRoutes } from './imports/importRoutes.ts'
import { inboxGuard } from './inbox/inboxGuard.ts'
import { createLogger, type Logger } from './log/logger.ts'
import { listMembers } from './meta/members.ts'
import { createMetaStore, type MetaStore } from './meta/metaStore.ts'
import { notesMigrationExtension } from './notes/notesMigrationExtension.ts'
import { Projection } from './projection/Projection.ts'
import {
  type CatchUpResult,
  catchUpIndex,
  IndexWorker,
  indexBuiltFor,
  markIndexBuilt,
  recordKey,
  storeAfterIndex,
} from './recordIndex/IndexWorker.ts'
import { type IndexConfig, openRecordIndex } from './recordIndex/openRecordIndex.ts'
import type { RecordIndex } from './recordIndex/RecordIndex.ts'
import { dashboardRoutes } from './reports/dashboardRoutes.ts'
import { ReportService } from './reports/ReportService.ts'
import { reportRoutes } from './reports/reportRoutes.ts'
import { type DemoLogin, seedDemo } from './seed/demoSeed.ts'
import { readWorkspaceSettings, SettingsService } from './settings/SettingsService.ts'
import { settingsRoutes } from './settings/settingsRoutes.ts'
import { startupSteps } from './startupSteps.ts'
import { compactLogs } from './storage/compactLogs.ts'
import { type DocumentStore, storedWorkspaceIds } from './storage/DocumentStore.ts'
import { readFormat } from './storage/format.ts'
import { openDataDirStore, type StoreKind } from './storage/openDataDirStore.ts'
import { ReminderScheduler } from './tasks/ReminderScheduler.ts'
import { notifyTaskAssignments } from './tasks/taskAssignments.ts'
import { taskRoutes } from './tasks/taskRoutes.ts'
import { ticketThreadGuard } from './tickets/ticketThreadGuard.ts'
import { ticketThreadRoutes } from './tickets/ticketThreadRoutes.ts'
import { timelineRoutes } from './timeline/timelineRoutes.ts'
import { purgeWorkspace, workspacePrefix } from './workspaces/removedWorkspaces.ts'
import { workspaceRoutes } from './workspaces/workspaceRoutes.ts'
import { createWorkspaceService } from './workspaces/workspaceService.ts'

export interface ServerDeps {
  /** Holds the documents (`documents.sqlite`, or `docs/` with the lowdb store), the metadata database, format.json. */
  dataDir: string
  /**
   * Defaults to `store` in the data directory, which is first migrated to that store's format (`migrateDataDir`;
   * throws FormatError on a directory it must not open). A given store is used as is (no migration).
   */
  documentStore?: DocumentStore
  /** The default document store: `sqlite` (`<dataDir>/documents.sqlite`, default) or `lowdb` (`<dataDir>/docs`). */
  store?: StoreKind
  /** The record index (default: SQLite at `<dataDir>/index.sqlite`); ignored when `recordIndex` is given. */
  index?: IndexConfig
  /** An index to use as is (closed with the server). */
  recordIndex?: RecordIndex
  logger?: Logger
  secrets: { session: string }
  /** The built web app (apps/web/dist); null or missing → a page saying to run the build. */
  webDist?: string | null
  seedDemo?: boolean
  /** Persistence debounce (default 2000 ms) and its cap (default 10000 ms). */
  debounceMs?: number
  maxDebounceMs?: number
  /** fsync document files and their directory on every store (default store only). */
  fsync?: boolean
  /** Per-connection message rate limit (default 300/s). */
  messagesPerSecond?: number
  /** Close sockets that have not authenticated a document this long after the upgrade (default 15000 ms). */
  authDeadlineMs?: number
  /** When account-room versions are saved (default: 2 min after editing pauses, every 10 min while it goes on). */
  historyTiming?: Partial<HistoryTiming>
  now?: () => number
}

export interface RapportServer {
  http: Server
  hocuspocus: Hocuspocus
  app: Hono<AppEnv>
  documentStore: DocumentStore
  persistence: PersistenceExtension
  limits: LimitsExtension
  /** Metadata database and auth services (users, sessions, members, tokens). */
  meta: MetaStore
  auth: AuthServices
  logger: Logger
  /** Live per-workspace index of every record (REST reads, search, audit before-values). */
  projection: Projection
  /** Versions of account rooms (notes + fields): list, read, restore. */
  history: RoomHistory
  /** Server-side workflow (won deal → handoff draft, notifications, handoff steps). */
  automation: Automation
  /** Task reminders at their due time, exactly once (fired state in `<dataDir>/reminders.json`). */
  reminders: ReminderScheduler
  /** The per-workspace change feed (`W/feed` stateless messages, `GET /api/feed`). */
  feed: FeedHub
  /** The persisted record index and the worker keeping it current (`index.flush()` before reading a write). */
  index: IndexWorker
  /** What the start-up catch-up of the index did (documents compared, re-indexed, time). */
  catchUp: CatchUpResult & { mode: 'logged' | 'rebuild' }
  /** Derives every `W/board/P` from the deal documents (issue #12); the only writer of boards. */
  boards: BoardMirror
  /** The boards' start-up catch-up from the index (runs in the background; resolves with boards and entries changed). */
  boardsCaughtUp: Promise<{ boards: number; changed: number; failed: number; skipped: boolean }>
  /** Logins of the demo workspace when this start seeded it (`seedDemo` on an empty data dir), else null. */
  demoLogins: DemoLogin[] | null
  /** When a client last edited live over its WebSocket (an import gives way meanwhile; collab/liveEdits.ts). */
  liveEdits: LiveEdits
  health(): Promise<HealthReport>
  listen(port: number, host?: string): Promise<{ port: number; url: string }>
  /** Stops accepting connections, closes sockets, stores every dirty document, closes the store. */
  close(): Promise<void>
}

export const COLLAB_PATH = '/collab'
const MAX_PAYLOAD = 1024 * 1024

const refuseUpgrade = (socket: Duplex, status: string): void => {
  socket.on('error', () => {})
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  socket.destroy()
}

/** The composition root: builds the HTTP app, Hocuspocus and its extensions. Never reads env, never listens. */
export const createServer = async (deps: ServerDeps): Promise<RapportServer> => {
  const now = deps.now ?? Date.now
  const startedAt = now()
  const logger = deps.logger ?? createLogger({ level: 'info', format: 'pretty' })
  const steps = startupSteps()
  const storeOfDataDir =
    deps.documentStore ??
    (await openDataDirStore(deps.dataDir, deps.store ?? 'sqlite', deps.fsync ?? false, logger))
  // A deleted workspace's documents are never stored again (`meta` is open before anything is stored).
  // A store (which drops the document's update log) first waits until the record index holds that state.
  const workerRef: { current: IndexWorker | null } = { current: null }
  // The documents of records deleted for good are never loaded or stored again (archive/deletedDocuments.ts).
  const deletedDocuments = await DeletedDocuments.open(`${deps.dataDir}/deleted-documents.json`)
  const liveWorkspacesStore = liveDocumentsStore(
    storeOfDataDir,
    (id) => meta.data.removedWorkspaces.includes(id),
    () => deletedDocuments,
  )
  const documentStore = storeAfterIndex(liveWorkspacesStore, () => workerRef.current, logger.child('index'))

  // Clients editing live: an import gives way to them (ImportJobsDeps `liveEdits`).
  const liveEdits = new LiveEdits()
  const persistence = createPersistenceExtension({
    store: documentStore,
    logger: logger.child('persistence'),
    debounceMs: deps.debounceMs ?? 2000,
    maxDebounceMs: deps.maxDebounceMs ?? 10_000,
    now,
    onClientUpdate: () => liveEdits.noted(),
  })
  steps.mark('store open')
  const meta = await createMetaStore(deps.dataDir)
  const auth = createAuthServices({ meta, secret: deps.secrets.session, now, logger: logger.child('auth') })
  const limits = createLimitsExtension({
    logger: logger.child('limits'),
    maxPayload: MAX_PAYLOAD,
    messagesPerSecond: deps.messagesPerSecond ?? 300,
    authDeadlineMs: deps.authDeadlineMs ?? 15_000,
  })

  const demoLogins = deps.seedDemo
    ? await seedDemo({ store: documentStore, auth, logger: logger.child('seed'), now })
    : null
  steps.mark('meta + demo seed')
  const projection = new Projection(logger.child('projection'))
  const validation = validationExtension({ projection, logger, index: () => workerRef.current })
  const audit = createAudit({ projection, logger, now })
  const recordIndex =
    deps.recordIndex ?? (await openRecordIndex(deps.dataDir, deps.index ?? { kind: 'sqlite' }))
  // Start-up catch-up (docs/ARCHITECTURE.md "Catch-up on restart"), before the server listens and BEFORE the update
  // logs are compacted: only a document with a logged update can be ahead of the index. An index built for another
  // data format (a lost or new index file, a migration since) is rebuilt from every stored document instead.
  steps.mark('index open')
  const builtFor = `data-format ${await readFormat(deps.dataDir)}`
  const rebuild = !(await indexBuiltFor(recordIndex, builtFor))
  const catchUpNames = rebuild ? await documentStore.list() : await documentStore.loggedNames()
  const caughtUp = await catchUpIndex(recordIndex, catchUpNames, (name) => documentStore.load(name))
  if (rebuild) await markIndexBuilt(recordIndex, builtFor)
  const catchUp = { ...caughtUp, mode: rebuild ? ('rebuild' as const) : ('logged' as const) }
  logger.child('index').info('index caught up', { ...catchUp })
  steps.mark('index catch-up')
  // Updates acknowledged after the last stores (a crash): into the stored states, before anything loads.
  await compactLogs(documentStore, logger.child('persistence'))
  steps.mark('compact logs')
  // The projection reads only the workspace documents (settings); records are read when their document loads.
  await projection.bootstrap(documentStore)
  steps.mark('workspace documents')
  const hocuspocusRef: { current: Hocuspocus | null } = { current: null }
  let feedOpen = true
  const worker = new IndexWorker({
    index: recordIndex,
    projection,
    logger: logger.child('index'),
    docOf: (name) => hocuspocusRef.current?.documents.get(name),
    // Live edits wait up to 20 ms for more before an apply (docs/ARCHITECTURE.md "The index — built").
    coalesceMs: 20,
    // The change feed gets each change after the index committed it, with the index's seq.
    onCommitted: (applied, rows) => {
      if (!feedOpen) return
      const byWorkspace = new Map<string, FeedInput[]>()
      for (const change of applied) {
        const carried = rows.get(recordKey(change.workspaceId, change.kind, change.id))
        let inputs = byWorkspace.get(change.workspaceId)
        if (!inputs) {
          inputs = []
          byWorkspace.set(change.workspaceId, inputs)
        }
        inputs.push({
          seq: change.seq,
          kind: change.kind,
          id: change.id,
          op: change.op,
          ...(change.op === 'upsert' && carried?.row ? { row: carried.row } : {}),
          ...(carried ? { doc: carried.doc } : {}),
        })
      }
      for (const [workspaceId, inputs] of byWorkspace) feed.publish(workspaceId, inputs)
    },
  })
  const lastSeqs = new Map<string, number>()
  for (const workspaceId of await storedWorkspaceIds(documentStore))
    lastSeqs.set(workspaceId, await recordIndex.lastSeq(workspaceId))
  const feed = new FeedHub({
    logger: logger.child('feed'),
    now,
    lastSeqAtStart: (workspaceId) => lastSeqs.get(workspaceId) ?? 0,
  })
  worker.start()
  workerRef.current = worker
  steps.mark('feed seqs + index worker')
  const history = new RoomHistory({
    store: lowdbVersionStore(`${deps.dataDir}/history`),
    projection,
    logger,
    now,
    timing: deps.historyTiming,
    index: () => workerRef.current,
  })

  // Boards are derived from the deal documents by the server alone (board connections are read-only for everyone).
  const boards = new BoardMirror({
    store: documentStore,
    logger,
    now,
    isDirty: (name) => persistence.isDirty(name),
    closedDaysOf: (workspaceId) => projection.workspace(workspaceId).closedDays,
  })

  // Every Hocuspocus extension, in one place (persistence sets its own priority to load first).
  // Automation writes through Hocuspocus, which lists its extension: the extension reads it once built.
  const automationRef: { current: Automation | null } = { current: null }
  const hocuspocus = new Hocuspocus({
    quiet: true,
    // Our persistence extension stores on its own schedule; Hocuspocus' debouncer only drives unload attempts.
    debounce: deps.debounceMs ?? 2000,
    maxDebounce: deps.maxDebounceMs ?? 10_000,
    extensions: [
      persistence,
      awarenessAtArrivalExtension((name) => isRetiredDoc(name) || deletedDocuments.has(name)),
      createAuthExtension(auth, logger),
      limits,
      createLoggingExtension(logger.child('collab')),
      projectionExtension(projection),
      validation,
      pipelineMigrationExtension(logger),
      notesMigrationExtension({ logger, now }),
      retiredDocumentsExtension(logger),
      deletedDocumentsExtension(deletedDocuments, logger),
      historyGuardExtension(logger),
      ticketThreadGuard(logger),
      inboxGuard(logger),
      audit.extension,
      createAttributionExtension({ logger, now }),
      history.extension,
      automationExtension(() => automationRef.current),
      feedExtension(feed, logger),
      boards.extension,
      // A Y.Doc made without a guid draws a random uuid through 31 crypto calls (~110 µs): an import creating 10k
      // documents spent 1.1 s of CPU in it. The document name is unique and what a guid is for (subdocuments only).
      { onCreateDocument: async ({ documentName }: { documentName: string }) => ({ guid: documentName }) },
    ],
  })
  steps.mark('history, boards, hocuspocus')
  const automation = new Automation({
    hocuspocus,
    projection,
    members: (workspaceId) => listMembers(meta, workspaceId),
    logger: logger.child('automation'),
    now,
    store: documentStore,
    index: () => workerRef.current,
    wonDealsStateFile: `${deps.dataDir}/won-deals.json`,
  })
  automationRef.current = automation
  hocuspocusRef.current = hocuspocus
  // Won deals whose handoff trigger was lost by a crash get their draft (in the background, exactly once).
  automation.background('reconcile:startup', 'won deal reconcile', async () => {
    const t0 = performance.now()
    const created = await automation.wonDeals.reconcileAll()
    logger.debug('won deals reconciled at start', { created, ms: Math.round(performance.now() - t0) })
  })
  steps.mark('automation + won-deal reconcile (sync part)')
  notifyTaskAssignments(projection, automation)
  // Every board equals the mirror of its pipeline's deals as the index holds them (a crash between storing a deal
  // and mirroring it, a deal that moved while unloaded); deals loaded meanwhile are mirrored live.
  // Skipped when nothing was indexed since a clean stop left every board current (board/boardsCurrent.ts).
  const boardsCurrent =
    catchUp.mode === 'logged' && boardsAreCurrent(await readBoardsCurrent(deps.dataDir), builtFor, lastSeqs)
  const boardsT0 = performance.now()
  const boardsCaughtUp = boardsCurrent
    ? Promise.resolve({ boards: 0, changed: 0, failed: 0, skipped: true })
    : catchUpBoards(boards, worker, projection, logger.child('board-mirror')).then(
        (result) => {
          logger.debug('boards caught up at start', {
            ...result,
            ms: Math.round(performance.now() - boardsT0),
          })
          return { ...result, skipped: false }
        },
        (error: unknown) => {
          logger.error('board catch-up failed', { error })
          return { boards: 0, changed: 0, failed: 1, skipped: false }
        },
      )
  let sweepSoon: ReturnType<typeof setTimeout> | null = null
  if (boardsCurrent) {
    logger.debug('boards current since the last clean stop: no catch-up')
    // The catch-up also evicts closed cards past `closedDays`; without it they would wait for the hourly sweep,
    // which a server restarted more often than hourly never reaches. One sweep a minute after the start instead.
    sweepSoon = setTimeout(() => {
      void boards.sweep().catch((error: unknown) => logger.error('board sweep after start failed', { error }))
    }, 60_000)
    sweepSoon.unref?.()
  }
  steps.mark('task notifications + board catch-up (sync part)')
  const reminders = await ReminderScheduler.open({
    projection,
    automation,
    hocuspocus,
    logger: logger.child('reminders'),
    now,
    file: `${deps.dataDir}/reminders.json`,
    index: () => workerRef.current,
    workspaceIds: () => storedWorkspaceIds(documentStore),
  })
  reminders.start()
  steps.mark('reminders (background catch-ups interleave)')
  // A deleted workspace leaves nothing behind; one whose delete was interrupted by a stop is finished now.
  const holders = { store: documentStore, projection, history, reminders, logger: logger.child('workspaces') }
  // The record index forgets it too (after the projection stopped following its documents).
  // Dismissed duplicate pairs and merge pointers (`duplicates.json`).
  const duplicateLog = await DuplicateLog.open(`${deps.dataDir}/duplicates.json`)
  const purgeEverywhere = async (id: string): Promise<void> => {
    // Its documents still in memory go first: their sockets were closed, but an unload may be pending (vetoed while
    // a store ran) and a copy unloaded before it was stored would be merged into the next load of its name.
    const prefix = workspacePrefix(id)
    persistence.forget(prefix)
    for (const document of [...hocuspocus.documents.values()]) {
      if (!document.name.startsWith(prefix)) continue
      hocuspocus.closeConnections(document.name)
      await hocuspocus.unloadDocument(document)
    }
    // Read before they are deleted: the account rooms among them may hold notes whose account is gone (no index row).
    const stored = await documentStore.list(prefix)
    await purgeWorkspace(holders, id)
    await worker.purgeWorkspace(id, stored)
    await duplicateLog.forget(id)
    await deletedDocuments.forgetWorkspace(id)
  }
  for (const id of meta.data.removedWorkspaces) await purgeEverywhere(id)
  // A stop between remembering a deleted record's document and deleting it: deleted now.
  await deleteRememberedDocuments(storeOfDataDir, deletedDocuments)
  const removeRecordDocument = (name: string) =>
    removeEmptyRecordDocument(
      { hocuspocus, store: documentStore, deleted: deletedDocuments, logger: logger.child('archive') },
      name,
    )
  steps.mark('duplicates + purges')

  const indexImplementation = deps.recordIndex ? 'custom' : (deps.index?.kind ?? 'sqlite')
  const indexRows = async (): Promise<number> => {
    const { records } = await recordIndex.stats()
    return Object.values(records).reduce((sum, n) => sum + n, 0)
  }
  const health = async (): Promise<HealthReport> => {
    const stats = persistence.stats()
    const limitStats = limits.stats()
    const work = worker.stats()
    return {
      ok: true,
      uptimeMs: now() - startedAt,
      documents: hocuspocus.getDocumentsCount(),
      connections: hocuspocus.getConnectionsCount(),
      dirtyDocuments: stats.dirtyDocuments,
      storesInFlight: stats.storesInFlight,
      stores: stats.stores,
      storeFailures: stats.storeFailures,
      loadFailures: stats.loadFailures,
      rejectedFrames: limitStats.rejectedFrames,
      closedForLimits: limitStats.closedForLimits,
      index: {
        implementation: indexImplementation,
        rows: await indexRows().catch(() => -1),
        lag: work.lag,
        failures: work.failures,
        dropped: work.dropped,
        catchUp: {
          state: 'done',
          mode: catchUp.mode,
          documents: catchUp.documents,
          reindexed: catchUp.reindexed,
          ms: catchUp.ms,
        },
      },
    }
  }

  const app = createApp(logger.child('http'), {
    bodyLimits: { routes: [{ method: 'POST', path: '/api/imports', maxBytes: MAX_IMPORT_BYTES }] },
  })
  app.route('/api', healthRoutes(health))
  app.route('/api', authRoutes(auth))
  app.route('/api', memberRoutes(auth))
  app.route(
    '/api',
    accountRoutes({ account: createAccountServices(auth, now), session: sessionMiddleware(auth) }),
  )
  const workspaces = createWorkspaceService({
    auth,
    hocuspocus,
    now,
    purge: purgeEverywhere,
  })
  app.route('/api', workspaceRoutes({ auth, workspaces, session: sessionMiddleware(auth), now }))
  // Route modules of S2/S3 are mounted here, under /api, before the static fallback.
  // Exports first: `/contacts/export.csv` must not be read as the contact `export.csv`.
  app.route(
    '/api',
    exportRoutes({
      worker,
      hocuspocus,
      session: sessionMiddleware(auth),
      members: (session) => auth.listMembers(session),
      auditFlush: () => audit.flush(),
      contacts: new ContactData({
        worker,
        hocuspocus,
        auditFlush: () => audit.flush(),
        logger: logger.child('export'),
        removeRecordDocument,
      }),
    }),
  )
  app.route(
    '/api',
    duplicateRoutes({
      duplicates: new DuplicateService(worker, duplicateLog),
      merges: new MergeService(hocuspocus, worker, duplicateLog),
      index: worker,
      session: sessionMiddleware(auth),
    }),
  )
  app.route(
    '/api',
    recordsRoutes({
      projection,
      index: worker,
      hocuspocus,
      session: sessionMiddleware(auth),
      memberIds: (session) => new Set(auth.listMembers(session).map((m) => m.userId)),
      memberNames: (session) => Object.fromEntries(auth.listMembers(session).map((m) => [m.userId, m.name])),
    }),
  )
  app.route('/api', boardFacesRoutes({ projection, index: worker, session: sessionMiddleware(auth), now }))
  app.route('/api', handoffRoutes({ automation, session: sessionMiddleware(auth) }))
  app.route('/api', roomStateRoutes({ hocuspocus, session: sessionMiddleware(auth) }))
  app.route(
    '/api',
    reportRoutes({
      reports: new ReportService({
        index: () => worker.index,
        settings: (workspaceId) => readWorkspaceSettings(hocuspocus, workspaceId),
        members: (workspaceId) =>
          listMembers(meta, workspaceId).map((m) => ({ userId: m.userId, name: m.name, team: m.team })),
        now,
      }),
      session: sessionMiddleware(auth),
    }),
  )
  app.route('/api', historyRoutes({ history, session: sessionMiddleware(auth) }))
  app.route('/api', taskRoutes({ index: worker, hocuspocus, session: sessionMiddleware(auth) }))
  app.route(
    '/api',
    archiveRoutes({
      index: worker,
      hocuspocus,
      session: sessionMiddleware(auth),
      logger: logger.child('archive'),
      removeRecordDocument,
    }),
  )
  app.route('/api', timelineRoutes({ hocuspocus, session: sessionMiddleware(auth) }))
  app.route('/api', ticketThreadRoutes({ hocuspocus, index: worker, session: sessionMiddleware(auth) }))
  app.route(
    '/api',
    settingsRoutes({ settings: new SettingsService(hocuspocus, worker), session: sessionMiddleware(auth) }),
  )
  app.route('/api', dashboardRoutes({ hocuspocus, session: sessionMiddleware(auth), now }))
  app.route(
    '/api',
    feedRoutes({
      hub: feed,
      session: sessionMiddleware(auth),
      onAccessChange: auth.onAccessChange,
      logger: logger.child('feed'),
    }),
  )
  const imports = await ImportJobs.open({
    dataDir: deps.dataDir,
    hocuspocus,
    index: worker,
    // The contacts an import creates are written in batches straight to the store and the index (bulkCreate.ts),
    // which indexes them itself before storing them (the rule `storeAfterIndex` keeps for every other store).
    store: liveWorkspacesStore,
    logger: logger.child('imports'),
    memberIds: (workspaceId) => new Set(listMembers(meta, workspaceId).map((m) => m.userId)),
    liveEdits,
  })
  app.route('/api', importRoutes({ jobs: imports, session: sessionMiddleware(auth) }))
  app.route(
    '/api',
    openApiRoutes(() => app.routes),
  )
  mountStatic(app, deps.webDist ?? null)
  steps.mark('routes')
  logger.debug('start-up steps', steps.done())

  const http = createHttpServer(getRequestListener(app.fetch))
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayload })
  let closing = false

  http.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (closing) return refuseUpgrade(socket, '503 Service Unavailable')
    if (path !== COLLAB_PATH) return refuseUpgrade(socket, '404 Not Found')
    socket.on('error', () => socket.destroy())
    hocuspocus
      .hooks('onUpgrade', { request, socket, head, instance: hocuspocus })
      .then(() => {
        wss.handleUpgrade(request, socket, head, (ws) => {
          ws.on('error', (error) => logger.debug('websocket error', { error }))
          limits.guard(ws)
          hocuspocus.handleConnection(ws, request)
        })
      })
      .catch(() => refuseUpgrade(socket, '401 Unauthorized'))
  })

  const listen = (port: number, host = '127.0.0.1'): Promise<{ port: number; url: string }> =>
    new Promise((resolve, reject) => {
      http.once('error', reject)
      http.listen(port, host, () => {
        http.off('error', reject)
        const address = http.address()
        const actual = typeof address === 'object' && address ? address.port : port
        const shownHost = host.includes(':') ? `[${host}]` : host
        resolve({ port: actual, url: `http://${shownHost}:${actual}` })
      })
    })

  /** The index's last seq of every stored workspace (null when the index cannot say). */
  const indexSeqs = async (): Promise<Map<string, number> | null> => {
    try {
      const seqs = new Map<string, number>()
      for (const workspaceId of await storedWorkspaceIds(documentStore))
        seqs.set(workspaceId, await recordIndex.lastSeq(workspaceId))
      return seqs
    } catch {
      return null
    }
  }

  let closed: Promise<void> | null = null
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true
      feedOpen = false
      feed.close()
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()))
      hocuspocus.closeConnections()
      for (const client of wss.clients) client.terminate()
      http.closeAllConnections()
      await httpClosed
      if (sweepSoon) clearTimeout(sweepSoon)
      await reminders.stop()
      await imports.close()
      await automation.idle()
      await audit.flush()
      await history.close()
      const caughtUp = await boardsCaughtUp
      // Every change indexed so far is mirrored once boards.close() has written what it queued.
      const seqsBefore = await worker.flush().then(indexSeqs, () => null)
      await boards.close()
      const left = await persistence.flushAll()
      persistence.stop()
      await worker.stop()
      // Nothing indexed meanwhile, nothing left unmirrored or unstored: the next start may skip the boards' catch-up.
      const seqsAfter = await indexSeqs()
      if (
        caughtUp.failed === 0 &&
        boards.unmirrored === 0 &&
        left.length === 0 &&
        seqsBefore !== null &&
        boardsAreCurrent(
          { builtFor, lastSeqs: Object.fromEntries(seqsBefore) },
          builtFor,
          seqsAfter ?? new Map(),
        )
      )
        await writeBoardsCurrent(deps.dataDir, { builtFor, lastSeqs: Object.fromEntries(seqsBefore) }).catch(
          (error: unknown) => logger.warn('could not mark the boards current', { error }),
        )
      await recordIndex.close().catch((error: unknown) => logger.error('index close failed', { error }))
      await hocuspocus.hooks('onDestroy', { instance: hocuspocus }).catch((error: unknown) => {
        logger.error('onDestroy failed', { error })
      })
      await documentStore.close()
      if (left.length > 0) logger.error('closed with unstored documents', { names: left })
      logger.info('server closed')
    })()
    return closed
  }

  return {
    http,
    hocuspocus,
    app,
    documentStore,
    persistence,
    limits,
    meta,
    auth,
    logger,
    projection,
    automation,
    reminders,
    feed,
    index: worker,
    catchUp,
    boards,
    boardsCaughtUp,
    history,
    demoLogins,
    liveEdits,
    health,
    listen,
    close,
  }
}
