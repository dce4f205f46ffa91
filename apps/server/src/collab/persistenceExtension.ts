import type {
  afterUnloadDocumentPayload,
  beforeHandleMessagePayload,
  beforeUnloadDocumentPayload,
  Extension,
  Hocuspocus,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
} from '@hocuspocus/server'
import * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'
import { applyWithoutUpdateEvents } from './applyWithoutUpdateEvents.ts'
import { updateInFrame } from './updateInFrame.ts'

export interface PersistenceOptions {
  store: DocumentStore
  logger: Logger
  /** Quiet time after the last update before a store (default 2000 ms). */
  debounceMs?: number
  /** A dirty document is stored at the latest this long after it became dirty (default 10000 ms). */
  maxDebounceMs?: number
  /** Backoff of a failed store: base doubles per failure up to max (defaults 250 ms / 10000 ms). */
  retryBaseMs?: number
  retryMaxMs?: number
  now?: () => number
  /** Called after a client's update (over its WebSocket) was applied: others are editing live (liveEdits.ts). */
  onClientUpdate?: () => void
}

export interface PersistenceStats {
  /** Documents the extension tracks (loaded, or unloaded but not yet stored). */
  tracked: number
  dirtyDocuments: number
  storesInFlight: number
  stores: number
  storeFailures: number
  loads: number
  loadFailures: number
  /** Updates appended to the document logs, and appends that failed. */
  appends: number
  appendFailures: number
  /** Logged updates replayed onto stored states when documents loaded. */
  replayed: number
}

export interface PersistenceExtension extends Extension {
  /** Store every dirty document now (retrying failures `attempts` times); resolves with the names still dirty. */
  flushAll(attempts?: number): Promise<string[]>
  isDirty(name: string): boolean
  /**
   * Drops every tracked document whose name starts with `prefix` (a deleted workspace's): its pending store is
   * cancelled and an unloaded-but-unstored copy is never merged into a later load. Its in-memory documents are the
   * caller's to unload.
   */
  forget(prefix: string): void
  stats(): PersistenceStats
  /** Stop timers (after flushAll, on close). */
  stop(): void
}

interface Entry {
  name: string
  doc: Y.Doc
  instance: Hocuspocus | null
  /** Bumped on every update; `storedVersion` is the version the last successful store covered. */
  version: number
  storedVersion: number
  dirtySince: number | null
  timer: ReturnType<typeof setTimeout> | null
  inFlight: Promise<boolean> | null
  failures: number
  /** True once Hocuspocus unloaded the document; the entry then only lives until its state is stored. */
  unloaded: boolean
  detach: () => void
  /** Settles (never rejects) once every update appended so far is in the log or its append failed. */
  logged: Promise<void>
  /** The newest version whose update could not be appended: it is durable only once a store covers it. */
  unloggedVersion: number
  /** Dropped by `forget`: never stored, scheduled or merged again. */
  forgotten: boolean
}

const silentVeto = (): Error => {
  // An Error without a message: Hocuspocus' hook runner vetoes the unload without logging it.
  const veto = new Error()
  veto.message = ''
  return veto
}

/**
 * Durable persistence for Hocuspocus v3, independent of its onStoreDocument debouncer:
 * - every update of a loaded document (any origin: clients, direct connections, other extensions) marks it dirty;
 * - stores are debounced (debounceMs, capped by maxDebounceMs) and serialized per document: at most one store in
 *   flight, and updates arriving meanwhile make exactly one follow-up store;
 * - a failing store keeps the document dirty and is retried with exponential backoff;
 * - `beforeUnloadDocument` vetoes unloading a dirty document; once stored, the extension unloads it itself;
 * - should a document be unloaded while dirty anyway, its Y.Doc is kept here (and merged into a reload) until stored;
 * - acknowledged means durable: every update is appended to the store's update log as it is applied, a client's
 *   acknowledgement and a direct connection's `transact` wait for that append, a load replays the log, and each
 *   store compacts it (see `DocumentStore`).
 */
export const createPersistenceExtension = (options: PersistenceOptions): PersistenceExtension => {
  const { store, logger } = options
  const debounceMs = options.debounceMs ?? 2000
  const maxDebounceMs = Math.max(options.maxDebounceMs ?? 10_000, debounceMs)
  const retryBaseMs = options.retryBaseMs ?? 250
  const retryMaxMs = options.retryMaxMs ?? 10_000
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()
  const counters = {
    stores: 0,
    storeFailures: 0,
    loads: 0,
    loadFailures: 0,
    appends: 0,
    appendFailures: 0,
    replayed: 0,
  }
  let stopped = false

  const isDirty = (entry: Entry): boolean => entry.version !== entry.storedVersion

  const clearTimer = (entry: Entry): void => {
    if (entry.timer) clearTimeout(entry.timer)
    entry.timer = null
  }

  const arm = (entry: Entry, delay: number): void => {
    clearTimer(entry)
    if (stopped || entry.forgotten) return
    entry.timer = setTimeout(() => {
      entry.timer = null
      void runStore(entry)
    }, delay)
    entry.timer.unref?.()
  }

  const schedule = (entry: Entry): void => {
    // While a store runs (or a retry backoff waits) the follow-up is decided when it ends: no storm.
    if (entry.inFlight || entry.failures > 0) return
    const at = now()
    entry.dirtySince ??= at
    arm(entry, Math.max(0, Math.min(debounceMs, entry.dirtySince + maxDebounceMs - at)))
  }

  const release = (entry: Entry): void => {
    if (isDirty(entry) || entry.inFlight || entry.forgotten) return
    if (entry.unloaded) {
      entries.delete(entry.name)
      entry.detach()
      return
    }
    // Hocuspocus' own unload attempt was vetoed while dirty: retry it now that everything is stored.
    const instance = entry.instance
    const document = instance?.documents.get(entry.name)
    if (instance && document === entry.doc && document.getConnectionsCount() === 0) {
      void instance.unloadDocument(document)
    }
  }

  const runStore = (entry: Entry): Promise<boolean> => {
    if (entry.inFlight) return entry.inFlight
    clearTimer(entry)
    if (!isDirty(entry)) return Promise.resolve(true)
    const version = entry.version
    const state = Y.encodeStateAsUpdate(entry.doc)
    const started = now()
    const attempt = (async (): Promise<boolean> => {
      try {
        await store.store(entry.name, state)
        counters.stores += 1
        entry.storedVersion = Math.max(entry.storedVersion, version)
        entry.failures = 0
        entry.dirtySince = null
        logger.debug('stored document', { name: entry.name, bytes: state.byteLength, ms: now() - started })
        return true
      } catch (error) {
        counters.storeFailures += 1
        entry.failures += 1
        logger.warn('storing document failed, will retry', {
          name: entry.name,
          failures: entry.failures,
          error,
        })
        return false
      } finally {
        entry.inFlight = null
      }
    })()
    entry.inFlight = attempt
    void attempt.then((ok) => {
      if (!isDirty(entry)) return release(entry)
      if (ok) {
        // Updates arrived during the store: one follow-up, debounced from now.
        schedule(entry)
      } else {
        arm(entry, Math.min(retryMaxMs, retryBaseMs * 2 ** (entry.failures - 1)))
      }
    })
    return attempt
  }

  const track = (name: string, doc: Y.Doc, instance: Hocuspocus | null): Entry => {
    const entry: Entry = {
      name,
      doc,
      instance,
      version: 0,
      storedVersion: 0,
      dirtySince: null,
      timer: null,
      inFlight: null,
      failures: 0,
      unloaded: false,
      detach: () => doc.off('update', onUpdate),
      logged: Promise.resolve(),
      unloggedVersion: 0,
      forgotten: false,
    }
    // Every update of the document, whatever its origin (clients, direct connections, repairs), goes to the log.
    const onUpdate = (update: Uint8Array): void => {
      entry.version += 1
      const version = entry.version
      const appended = store.appendUpdate(name, update).then(
        () => {
          counters.appends += 1
        },
        (error: unknown) => {
          counters.appendFailures += 1
          entry.unloggedVersion = Math.max(entry.unloggedVersion, version)
          logger.warn('appending an update to the log failed; storing the document instead', { name, error })
        },
      )
      // Appends to a newer log segment may finish first: `logged` waits for all of them, in order.
      entry.logged = Promise.all([entry.logged, appended]).then(() => {})
      schedule(entry)
    }
    doc.on('update', onUpdate)
    entries.set(name, entry)
    return entry
  }

  /**
   * Resolves once every update applied to the document so far is durable: in the log, or — when an append
   * failed — in a stored state. Rejects when neither could be written.
   */
  const whenDurable = async (entry: Entry): Promise<void> => {
    await entry.logged
    while (entry.unloggedVersion > entry.storedVersion) {
      if (!(await runStore(entry))) {
        throw new Error(
          `The changes to "${entry.name}" could not be saved: writing the log and the store failed.`,
        )
      }
    }
  }

  const flushAll = async (attempts = 5): Promise<string[]> => {
    const pending = [...entries.values()]
    await Promise.all(
      pending.map(async (entry) => {
        for (let tries = 0; tries < attempts && (isDirty(entry) || entry.inFlight); ) {
          clearTimer(entry)
          if (entry.inFlight) {
            await entry.inFlight
            continue
          }
          const ok = await runStore(entry)
          if (!ok) {
            tries += 1
            if (tries < attempts) {
              await new Promise((resolve) =>
                setTimeout(resolve, Math.min(retryMaxMs, retryBaseMs * 2 ** tries)),
              )
            }
          }
        }
      }),
    )
    const left = pending.filter(isDirty).map((entry) => entry.name)
    if (left.length > 0) logger.error('documents still dirty after flush', { names: left })
    return left
  }

  return {
    extensionName: 'persistence',
    // Load before every other extension, so their onLoadDocument sees (and may change) the stored state.
    priority: 1000,

    async onLoadDocument({ documentName, document, instance }: onLoadDocumentPayload) {
      let loaded: Awaited<ReturnType<DocumentStore['loadWithLog']>>
      try {
        loaded = await store.loadWithLog(documentName)
      } catch (error) {
        counters.loadFailures += 1
        logger.error('loading document failed', { name: documentName, error })
        // Rethrow: Hocuspocus closes the connections and never serves (or stores) an empty stand-in.
        throw error
      }
      counters.loads += 1
      if (loaded.state) applyWithoutUpdateEvents(document, loaded.state)
      // Updates acknowledged after the last store: replaying one the state already holds changes nothing.
      for (const update of loaded.log) {
        try {
          applyWithoutUpdateEvents(document, update)
        } catch (error) {
          logger.warn('skipped a logged update that could not be applied', { name: documentName, error })
        }
      }
      counters.replayed += loaded.log.length
      if (loaded.damagedLogBytes > 0) {
        logger.warn('the update log ended in a torn or damaged record (a crash mid-write); skipped it', {
          name: documentName,
          bytes: loaded.damagedLogBytes,
        })
      }
      const lingering = entries.get(documentName)
      if (lingering) {
        // Unloaded while dirty: its unstored edits join the new instance, which takes over storing them.
        clearTimer(lingering)
        lingering.detach()
        entries.delete(documentName)
        Y.applyUpdate(document, Y.encodeStateAsUpdate(lingering.doc))
      }
      const entry = track(documentName, document, instance)
      // A replayed log is compacted into the state by the next store.
      if ((lingering && isDirty(lingering)) || loaded.log.length > 0) {
        entry.version = 1
        schedule(entry)
      }
    },

    /**
     * Acknowledged means durable. Hocuspocus 3.4 applies a client's update and sends the acknowledgement (a
     * SyncStatus message) in the same synchronous step, right after this hook resolves. So the update is applied
     * HERE first — its 'update' event appends it to the log and broadcasts it to the other clients at once — and
     * the hook resolves only when the append is durable; Hocuspocus' own apply then finds nothing new and acks.
     * Read-only connections are left to Hocuspocus, which applies nothing of theirs.
     */
    async beforeHandleMessage({ connection, document, documentName, update }: beforeHandleMessagePayload) {
      const entry = entries.get(documentName)
      if (!entry || entry.doc !== document || connection.readOnly) return
      const change = updateInFrame(update)
      if (change === null) return
      const before = entry.version
      try {
        Y.applyUpdate(document, change, connection)
      } catch (error) {
        // Unreadable bytes, or a listener threw: Hocuspocus applies the same bytes next, as it always did.
        logger.warn('applying a client update failed', { name: documentName, error })
      }
      // It changed the document (a first sync's empty or known update does not).
      if (entry.version !== before) options.onClientUpdate?.()
      await whenDurable(entry)
    },

    /**
     * Hocuspocus runs this after every direct-connection transaction (`DirectConnection.transact` awaits it), so a
     * server write (REST, automation) resolves only once its updates are durable. Storing stays on our debounce.
     */
    async onStoreDocument({ documentName, document }: onStoreDocumentPayload) {
      const entry = entries.get(documentName)
      if (entry && entry.doc === document) await whenDurable(entry)
    },

    async beforeUnloadDocument({ documentName, document }: beforeUnloadDocumentPayload) {
      const entry = entries.get(documentName)
      if (entry && entry.doc === document && (isDirty(entry) || entry.inFlight)) {
        logger.debug('unload vetoed: document has unstored changes', { name: documentName })
        if (!entry.inFlight && !entry.timer) schedule(entry)
        throw silentVeto()
      }
    },

    async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload) {
      const entry = entries.get(documentName)
      if (!entry) return
      if (isDirty(entry) || entry.inFlight) {
        logger.warn('document unloaded with unstored changes; keeping it until stored', {
          name: documentName,
        })
        entry.unloaded = true
        entry.instance = null
        if (!entry.inFlight) void runStore(entry)
        return
      }
      clearTimer(entry)
      entry.detach()
      entries.delete(documentName)
    },

    flushAll,
    forget(prefix) {
      for (const entry of [...entries.values()]) {
        if (!entry.name.startsWith(prefix)) continue
        entry.forgotten = true
        clearTimer(entry)
        entry.detach()
        entries.delete(entry.name)
      }
    },
    isDirty: (name) => {
      const entry = entries.get(name)
      return entry ? isDirty(entry) : false
    },
    stats: () => {
      let dirtyDocuments = 0
      let storesInFlight = 0
      for (const entry of entries.values()) {
        if (isDirty(entry)) dirtyDocuments += 1
        if (entry.inFlight) storesInFlight += 1
      }
      return { tracked: entries.size, dirtyDocuments, storesInFlight, ...counters }
    },
    stop: () => {
      stopped = true
      for (const entry of entries.values()) clearTimer(entry)
    },
  }
}
