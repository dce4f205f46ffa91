import type {
  beforeHandleMessagePayload,
  Extension,
  Hocuspocus,
  onConfigurePayload,
} from '@hocuspocus/server'
import { type DocKind, parseDocName } from '@rapport/model'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import type * as Y from 'yjs'
import { DocumentRetired } from '../collab/retiredDocuments.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../log/logger.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'
import { withoutDocuments } from '../storage/withoutDocuments.ts'
import { withoutRemovedWorkspaces, workspacePrefix } from '../workspaces/removedWorkspaces.ts'

/*
 * A per-record document (`W/contact/C`, `W/deal/D`, `W/ticket/T`) whose record was deleted for good (DELETE or a
 * contact's erasure) and that holds nothing else is removed from the store with the record, instead of staying as an
 * empty document forever. Its name is remembered (`deleted-documents.json`, written before the store deletes it) so
 * that nothing brings it back:
 *  - the store wrapper loads nothing for it and drops late stores and appended updates (a debounced store, a client
 *    still connected);
 *  - a connection to it is refused like a retired document (close 4410 `document-retired`: the web app drops its
 *    offline copy), so a device that was offline during the delete cannot sync the record back;
 *  - a server write (REST) to it is refused (410 `record_deleted`), e.g. a create with the id.
 * A start deletes any remembered document still stored (a stop between remembering and deleting); a deleted
 * workspace forgets its names.
 */

/** The kinds of document that hold one record and may be removed with it. */
const RECORD_DOC_KINDS: ReadonlySet<DocKind> = new Set<DocKind>(['contact', 'deal', 'ticket'])

interface DeletedState {
  names: string[]
  /** Remembered, not yet deleted from the store (a start finishes them). */
  pending: string[]
}

export class DeletedDocuments {
  private readonly names: Set<string>
  private readonly pending: Set<string>

  private constructor(private readonly db: Low<DeletedState>) {
    this.names = new Set(db.data.names)
    this.pending = new Set(db.data.pending)
  }

  static async open(file: string): Promise<DeletedDocuments> {
    const db = new Low<DeletedState>(new JSONFile<DeletedState>(file), { names: [], pending: [] })
    await db.read()
    db.data ??= { names: [], pending: [] }
    db.data.names ??= []
    db.data.pending ??= []
    return new DeletedDocuments(db)
  }

  has(name: string): boolean {
    return this.names.has(name)
  }

  /** Names remembered whose stored document may not be deleted yet. */
  pendingNames(): string[] {
    return [...this.pending]
  }

  /** Remembers `name` (durably) before its stored document is deleted. */
  async add(name: string): Promise<void> {
    if (this.names.has(name)) return
    this.names.add(name)
    this.pending.add(name)
    await this.save()
  }

  /** The stored document of `name` is deleted. */
  async deleted(name: string): Promise<void> {
    if (this.pending.delete(name)) await this.save()
  }

  /** Forgets the names of a deleted workspace (its documents are gone with it). */
  async forgetWorkspace(workspaceId: string): Promise<void> {
    const prefix = workspacePrefix(workspaceId)
    const before = this.names.size
    for (const name of [...this.names]) if (name.startsWith(prefix)) this.names.delete(name)
    for (const name of [...this.pending]) if (name.startsWith(prefix)) this.pending.delete(name)
    if (this.names.size !== before) await this.save()
  }

  private async save(): Promise<void> {
    this.db.data = { names: [...this.names].sort(), pending: [...this.pending].sort() }
    await this.db.write()
  }
}

/** A document store that never loads, stores or appends to a deleted record's document. */
export function withoutDeletedDocuments(
  store: DocumentStore,
  deleted: () => DeletedDocuments,
): DocumentStore {
  return withoutDocuments(store, (name) => deleted().has(name))
}

/**
 * The server's store of live documents (createServer): `store` without the documents of removed workspaces and of
 * deleted records — what the persistence, the seed and an import's bulk path write through. It keeps the store's
 * batch forms (`appendUpdates`, `storeStates`, `storeNew`, `settleNew`).
 */
export function liveDocumentsStore(
  store: DocumentStore,
  isRemovedWorkspace: (workspaceId: string) => boolean,
  deleted: () => DeletedDocuments,
): DocumentStore {
  return withoutDeletedDocuments(withoutRemovedWorkspaces(store, isRemovedWorkspace), deleted)
}

const recordDeleted = () =>
  new AppError(410, 'record_deleted', 'This record was deleted for good; its id cannot be used again')

/**
 * Refuses connections to a deleted record's document (4410) and server writes to it (410): every server write opens
 * a direct connection, so `openDirectConnection` refuses the name, whether the document is still loaded (an unload
 * vetoed until the persistence store, which the store wrapper drops, has run) or would be loaded again.
 */
export function deletedDocumentsExtension(deleted: DeletedDocuments, logger: Logger): Extension {
  const log = logger.child('deleted')
  return {
    extensionName: 'rapport-deleted-documents',
    async onConfigure({ instance }: onConfigurePayload) {
      const open = instance.openDirectConnection.bind(instance)
      instance.openDirectConnection = (documentName, context) =>
        deleted.has(documentName) ? Promise.reject(recordDeleted()) : open(documentName, context)
    },
    async beforeHandleMessage({ documentName }: beforeHandleMessagePayload) {
      if (!deleted.has(documentName)) return
      log.debug('refused a deleted document', { documentName })
      throw DocumentRetired
    },
  }
}

/** Whether no shared type of `doc` holds anything (deleted entries do not count). */
export function isEmptyDocument(doc: Y.Doc): boolean {
  for (const type of doc.share.values()) {
    for (const item of type._map.values()) if (!item.deleted) return false
    for (let item = type._start; item !== null; item = item.right) if (!item.deleted) return false
  }
  return true
}

export interface RemoveDocumentDeps {
  hocuspocus: Hocuspocus
  store: DocumentStore
  deleted: DeletedDocuments
  logger: Logger
}

/**
 * After its record was deleted: removes the per-record document `name` when it holds nothing else (a ticket's
 * document keeps its messages, so it stays). Remembered first (durably), then its connections are closed and it
 * is deleted from the store. Returns whether it was removed.
 */
export async function removeEmptyRecordDocument(deps: RemoveDocumentDeps, name: string): Promise<boolean> {
  const ref = parseDocName(name)
  if (!ref || !RECORD_DOC_KINDS.has(ref.kind) || deps.deleted.has(name)) return false
  const connection = await deps.hocuspocus.openDirectConnection(name, { system: true })
  let empty: boolean
  try {
    empty = connection.document !== null && isEmptyDocument(connection.document)
  } finally {
    await connection.disconnect()
  }
  if (!empty) return false
  await deps.deleted.add(name)
  // Open connections are told at once that the document is gone (the web app drops its offline copy), and the
  // document is unloaded (once persistence has run its store, which the store wrapper drops, if it vetoes now).
  const loaded = deps.hocuspocus.documents.get(name)
  for (const open of loaded?.getConnections() ?? []) open.close(DocumentRetired)
  if (loaded) await deps.hocuspocus.unloadDocument(loaded)
  await deps.store.delete(name)
  await deps.deleted.deleted(name)
  deps.logger.info('record document removed', { docName: name })
  return true
}

/** A start: deletes the remembered documents a stop left in the store (between remembering and deleting). */
export async function deleteRememberedDocuments(
  store: DocumentStore,
  deleted: DeletedDocuments,
): Promise<number> {
  const names = deleted.pendingNames()
  for (const name of names) {
    await store.delete(name)
    await deleted.deleted(name)
  }
  return names.length
}
