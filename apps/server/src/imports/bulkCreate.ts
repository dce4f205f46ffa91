import type { Hocuspocus } from '@hocuspocus/server'
import {
  type ActivityCreate,
  appendActivity,
  createAccount,
  createContact,
  docName,
  isModelError,
} from '@rapport/model'
import * as Y from 'yjs'
import { titleOf } from '../collab/auditExtension.ts'
import { type Actor, type ServerOrigin, serverOrigin, writeDocument } from '../collab/directWrites.ts'
import { readDocumentRecords } from '../projection/Projection.ts'
import type { ProjectedRecord, RecordKind } from '../projection/recordKinds.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { appendUpdates, type DocumentStore, storeStates } from '../storage/DocumentStore.ts'
import { nextImportTurn } from './importTurns.ts'

/*
 * The bulk path of an import's creates (issue #14: 100k contacts in < 60 s). A record the import creates lives in a
 * document of its own that nobody has open yet, so instead of loading each new document in Hocuspocus (load, direct
 * connection, update log, debounced store, unload — per row) the job builds each document's state here with the same
 * model command and origin as the normal path (`writeDocument`), and writes a batch of them at once, keeping the
 * order the persistence rule asks for (docs/ARCHITECTURE.md "Catch-up on restart"):
 *   1. every document's state is written durably (one group commit, like an acknowledged edit) so that it counts as
 *      logged: with the store's `storeNew`, as the document's stored state, marked unsettled; otherwise appended to
 *      its update log;
 *   2. the records and the documents' state vectors go to the record index (`enqueueWritten`, then `flush`): lists,
 *      search, duplicate keys and the change feed see them;
 *   3. they stop counting as logged — `settleNew`, or the states are stored (`store`: the log is folded into the
 *      state), as the persistence extension would store them — so a restart finds nothing to replay for them.
 * A crash between 1 and 3 leaves logged documents: the start-up catch-up indexes them and compacts their logs.
 * `storeNew` writes each state once instead of twice (log, then fold): the import's store transactions were the
 * largest part of its main-thread time (~1/3 in a profile of 20k rows).
 * The timeline entries the audit writes for a created record with an account (`created contact …`) are written
 * here too, one transaction per account room and batch.
 */

/** One new record's document, built locally. */
export interface BuiltDocument {
  name: string
  id: string
  kind: RecordKind
  /** The document's full state (`Y.encodeStateAsUpdate`). */
  state: Uint8Array
  /** Its state vector (`Y.encodeStateVector`: the index's `doc_state`, without decoding `state` again). */
  stateVector: Uint8Array
  /** The record as the projection reads it (schema-parsed). */
  record: ProjectedRecord
}

/**
 * Runs `create(doc, origin)` — the same model command the normal path runs through a direct connection — on a new
 * local document named `name` and returns its state and record. Throws what the command throws (ModelError).
 */
export function buildDocument(
  name: string,
  kind: RecordKind,
  id: string,
  actor: Actor,
  create: (doc: Y.Doc, origin: ServerOrigin) => unknown,
): BuiltDocument {
  // Hocuspocus makes its documents with the name as guid (createServer's onCreateDocument) and gc on.
  const doc = new Y.Doc({ guid: name })
  try {
    create(doc, serverOrigin('rest', actor))
    const record = readDocumentRecords(name, doc)
      ?.kinds.find((k) => k.kind === kind)
      ?.records.get(id)
    if (!record) throw new Error(`the new record ${id} does not read back from ${name}`)
    return {
      name,
      id,
      kind,
      state: Y.encodeStateAsUpdate(doc),
      stateVector: Y.encodeStateVector(doc),
      record,
    }
  } finally {
    doc.destroy()
  }
}

export interface BulkWriteDeps {
  store: DocumentStore
  index: Pick<IndexWorker, 'enqueueWritten' | 'flush'> & {
    /** How many times the index's bulk thread died so far (IndexWorker `stats().bulkCrashes`). */
    bulkCrashes?: () => number
  }
  hocuspocus: Hocuspocus
  now: () => number
}

const SUBJECT = {
  accounts: 'account',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
  tasks: 'task',
} as const

/**
 * How long one store transaction may hold the event loop (ms): SQLite writes synchronously, and others' edits wait
 * behind it. A transaction of 100 documents took ~2 ms on a quiet machine and 10–40 ms on a loaded one (main-thread
 * CPU), the largest holds of the import once its documents are built and indexed in threads.
 */
const STORE_SLICE_MS = 2
/** Documents in a store transaction: the first, and the range the size adapts in. */
const STORE_SLICE = { first: 25, min: 5, max: 200 }

/**
 * Runs `write` over slices of `items`, leaving the event loop between slices (others' edits go on), and resolves
 * when every slice's write did: the waits for the disk overlap (one group commit covers several slices). A slice's
 * size follows how long the last one held the event loop (the synchronous part of `write`), so each holds it about
 * STORE_SLICE_MS.
 */
async function inSlices<T>(
  items: readonly T[],
  write: (slice: readonly T[]) => Promise<void>,
): Promise<void> {
  const writes: Array<Promise<void>> = []
  let size = STORE_SLICE.first
  for (let i = 0; i < items.length; ) {
    if (i > 0) await nextImportTurn()
    const slice = items.slice(i, i + size)
    const started = performance.now()
    const done = write(slice)
    const held = performance.now() - started
    // Awaited below; not an unhandled rejection meanwhile.
    done.catch(() => {})
    writes.push(done)
    i += slice.length
    const perItem = held / slice.length
    size =
      perItem > 0
        ? Math.max(STORE_SLICE.min, Math.min(STORE_SLICE.max, Math.floor(STORE_SLICE_MS / perItem)))
        : STORE_SLICE.max
  }
  await Promise.all(writes)
}

/**
 * Writes the built documents of one workspace (see the top of this file); resolves once they are durable, indexed
 * and stored, and their timeline entries written.
 */
export async function writeBuiltDocuments(
  deps: BulkWriteDeps,
  workspaceId: string,
  built: readonly BuiltDocument[],
  actor: Actor,
): Promise<void> {
  if (built.length === 0) return
  const { storeNew, settleNew } = deps.store
  const direct = storeNew !== undefined && settleNew !== undefined
  // 1. Durable before anything reads them.
  await inSlices(built, (slice) =>
    direct
      ? storeNew.call(
          deps.store,
          slice.map((d) => ({ name: d.name, state: d.state })),
        )
      : appendUpdates(
          deps.store,
          slice.map((d) => ({ name: d.name, update: d.state })),
        ),
  )
  // 2. Lists, search, duplicate keys, the feed.
  const crashesBefore = deps.index.bulkCrashes?.() ?? 0
  deps.index.enqueueWritten(
    built.map((d) => ({
      change: { op: 'upsert', workspaceId, kind: d.kind, id: d.id, doc: d.name, record: d.record },
      state: d.state,
      stateVector: d.stateVector,
    })),
  )
  await deps.index.flush()
  // 3. Settled: stored already (nothing replaced a state: a document someone opened meanwhile is stored by the
  // persistence extension, which settles it too).
  if (direct)
    await inSlices(built, (slice) =>
      settleNew.call(
        deps.store,
        slice.map((d) => d.name),
      ),
    )
  // Or folded into stored states. A document someone opened meanwhile (it is in the feed now) is left to the
  // persistence extension, which stores its live state: storing ours could drop an edit already in its log.
  else
    await inSlices(built, (slice) =>
      storeStates(
        deps.store,
        slice
          .filter(
            (d) => !deps.hocuspocus.documents.has(d.name) && !deps.hocuspocus.loadingDocuments.has(d.name),
          )
          .map((d) => ({ name: d.name, state: d.state })),
        // Their updates are durable in the log (step 1): the fold need not wait for the disk (StoreStatesOptions).
        { durable: false },
      ),
    )
  // The audit's `created <kind> <title>` entry in the account room of each record that has an account.
  const byAccount = new Map<string, ActivityCreate[]>()
  const at = deps.now()
  for (const d of built) {
    const accountId = d.record.accountId
    if (typeof accountId !== 'string' || accountId === '') continue
    const subject = { kind: SUBJECT[d.kind], id: d.id }
    const list = byAccount.get(accountId) ?? []
    list.push({
      type: 'field_change',
      at,
      actorId: actor.userId,
      subject,
      text: `created ${subject.kind} ${titleOf(d.record)}`,
    })
    byAccount.set(accountId, list)
  }
  for (const [accountId, activities] of byAccount) {
    await writeDocument(
      deps.hocuspocus,
      docName({ workspaceId, kind: 'account', accountId }),
      'audit',
      null,
      (doc, origin) => {
        doc.transact(() => {
          for (const activity of activities) appendActivity(doc, activity, origin, { now: at })
        }, origin)
      },
    )
  }
  // The index's bulk thread died under this batch: the IndexWorker applied it again on the main thread (the batch is
  // complete: durable, indexed, stored, its timeline written), but the import stops here as failed, saying why.
  if ((deps.index.bulkCrashes?.() ?? 0) > crashesBefore)
    throw new Error(
      'The record index stopped in the middle of this import (its bulk writer crashed); the rows imported so far are saved and indexed. Start the import again to continue.',
    )
}

/**
 * Accounts on the bulk path: an account's document IS its room, and the audit's `created account <name>` entry lives
 * in that room. Opening each new room to write it would undo the bulk path, so the entry is written into the document
 * being built — as the audit writes it after a create through Hocuspocus: its own transaction, origin `audit`, no
 * actor on the origin, the importing user as `actorId`. (`writeBuiltDocuments` writes room entries only for records
 * with an `accountId`, which an account has not, so it writes none twice.)
 */
export function buildAccountDocument(
  name: string,
  id: string,
  actor: Actor,
  at: number,
  create: (doc: Y.Doc, origin: ServerOrigin) => unknown,
): BuiltDocument {
  return buildDocument(name, 'accounts', id, actor, (doc, origin) => {
    create(doc, origin)
    const record = readDocumentRecords(name, doc)
      ?.kinds.find((k) => k.kind === 'accounts')
      ?.records.get(id)
    if (!record) return
    const audit = serverOrigin('audit', null)
    doc.transact(() => {
      appendActivity(
        doc,
        {
          type: 'field_change',
          at,
          actorId: actor.userId,
          subject: { kind: SUBJECT.accounts, id },
          text: `created ${SUBJECT.accounts} ${titleOf(record)}`,
        },
        audit,
        { now: at },
      )
    }, audit)
  })
}

/** One new account or contact to build (`buildRequested`): plain data, so it can be sent to the build thread. */
export interface BuildRequest {
  kind: 'accounts' | 'contacts'
  /** The document's name, the record's id. */
  name: string
  id: string
  /** The planned row's model input (`createAccount` / `createContact`). */
  input: Record<string, unknown>
  /** The audit entry's time (accounts). */
  at: number
}

/** What building one request gave: the document, or why the model refused it (`model`) or it failed otherwise. */
export type BuildOutcome =
  | { ok: true; built: BuiltDocument }
  | { ok: false; model: boolean; message: string; error?: unknown }

/**
 * Builds one requested account or contact document with the model command the normal path runs (ImportJobs
 * `createCommand`): the same function on the main thread and in the build thread (documentBuildThread.ts).
 */
export function buildRequested(actor: Actor, request: BuildRequest): BuildOutcome {
  try {
    const { kind, name, id, input, at } = request
    const built =
      kind === 'accounts'
        ? buildAccountDocument(name, id, actor, at, (doc, origin) =>
            createAccount(doc, input as Parameters<typeof createAccount>[1], origin),
          )
        : buildDocument(name, kind, id, actor, (doc, origin) =>
            createContact(doc, input as Parameters<typeof createContact>[1], origin),
          )
    return { ok: true, built }
  } catch (error) {
    return {
      ok: false,
      model: isModelError(error),
      message: error instanceof Error ? error.message : String(error),
      error,
    }
  }
}
