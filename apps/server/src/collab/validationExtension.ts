import type { Extension, Hocuspocus } from '@hocuspocus/server'
import {
  COLLECTION,
  CUSTOM_FIELD_KEY_PREFIX,
  CustomFieldValue,
  customFieldKey,
  docName,
  dropForeignEntries,
  isCustomFieldKey,
  isRecordDocRef,
  jsonEqual,
  LEGACY_CUSTOM_FIELDS_KEY,
  migrateCustomFields,
  parseDocName,
  RECORD_DOC_COLLECTION,
  type RecordDocRef,
  recordJSON,
} from '@rapport/model'
import * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'
import type { Projection, ProjectionEvent } from '../projection/Projection.ts'
import { KIND_SPECS } from '../projection/recordKinds.ts'
import type { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { CustomFieldGuard } from '../settings/CustomFieldGuard.ts'
import { LoadedDocs } from '../settings/LoadedDocs.ts'
import { SlaPolicyFollower } from '../settings/SlaPolicyFollower.ts'
import { TicketSlaFollower } from '../settings/TicketSlaFollower.ts'
import { migrateOnLoad, migrateRecord } from './customFieldMigration.ts'
import { DealConsistency } from './dealConsistency.ts'
import { isServerOrigin, serverOrigin } from './directWrites.ts'
import { originActor } from './originActor.ts'

type InvalidEvent = Extract<ProjectionEvent, { type: 'invalid' }>

/**
 * Repairs a record an update made invalid, in a server transaction on the same document (Yjs runs it right after the
 * offending transaction; Hocuspocus broadcasts and stores it like any update): unknown fields are deleted, bad fields
 * get their last valid value back (or are deleted when there was none), and a record that is still invalid is
 * restored whole from the projection, or removed when it never was valid. The projection never takes the bad
 * version, so it is never projected, searched or shown by the API.
 */
export function repairRecord(event: InvalidEvent): 'fields' | 'restored' | 'removed' {
  const origin = serverOrigin('repair')
  const spec = KIND_SPECS[event.kind]
  const { collection, lastValid, id } = event
  let outcome: 'fields' | 'restored' | 'removed' = 'fields'
  event.doc.transact(() => {
    const current = collection.get(id)
    if (!(current instanceof Y.Map)) {
      if (lastValid) {
        collection.set(id, recordMap(lastValid, spec.fields))
        outcome = 'restored'
      } else {
        collection.delete(id)
        outcome = 'removed'
      }
      return
    }
    const fields = current as Y.Map<unknown>
    for (const field of event.unknownFields) fields.delete(field)
    for (const field of event.badFields) {
      if (field === LEGACY_CUSTOM_FIELDS_KEY) restoreCustomFields(fields, lastValid, 'invalid')
      else if (lastValid && field in lastValid && spec.fields.has(field)) fields.set(field, lastValid[field])
      else fields.delete(field)
    }
    if (spec.schema.safeParse(recordJSON(fields)).success) return
    if (lastValid) {
      for (const key of [...fields.keys()])
        if (!isCustomFieldKey(key) && (!(key in lastValid) || !spec.fields.has(key))) fields.delete(key)
      for (const [key, value] of Object.entries(lastValid)) {
        if (key === LEGACY_CUSTOM_FIELDS_KEY) restoreCustomFields(fields, lastValid, 'all')
        else if (spec.fields.has(key)) fields.set(key, value)
      }
      outcome = 'restored'
    } else {
      collection.delete(id)
      outcome = 'removed'
    }
  }, origin)
  return outcome
}

function recordMap(record: Record<string, unknown>, fields: ReadonlySet<string>): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  for (const [key, value] of Object.entries(record))
    if (fields.has(key) && value !== undefined && key !== LEGACY_CUSTOM_FIELDS_KEY) map.set(key, value)
  const values = record[LEGACY_CUSTOM_FIELDS_KEY]
  if (fields.has(LEGACY_CUSTOM_FIELDS_KEY) && typeof values === 'object' && values !== null)
    for (const [fieldId, value] of Object.entries(values)) map.set(customFieldKey(fieldId), value)
  return map
}

/**
 * Puts a record's custom values back to `lastValid`'s, one entry per field: a malformed old-form object is dropped
 * (its values moved to entries when it is well-formed), then each per-field entry (`'all'`, or only those that are not
 * a custom value at all: `'invalid'`) is set from `lastValid`, or cleared.
 */
function restoreCustomFields(
  fields: Y.Map<unknown>,
  lastValid: Record<string, unknown> | null,
  which: 'all' | 'invalid',
): void {
  if (!migrateCustomFields(fields)) fields.delete(LEGACY_CUSTOM_FIELDS_KEY)
  const previous = (lastValid?.[LEGACY_CUSTOM_FIELDS_KEY] ?? {}) as Record<string, unknown>
  for (const key of [...fields.keys()]) {
    if (!isCustomFieldKey(key)) continue
    const current = fields.get(key)
    if (which === 'invalid' && CustomFieldValue.safeParse(current).success) continue
    const value = previous[key.slice(CUSTOM_FIELD_KEY_PREFIX.length)] ?? null
    if (!jsonEqual(current, value)) fields.set(key, value)
  }
  if (which === 'all')
    for (const [fieldId, value] of Object.entries(previous))
      if (!fields.has(customFieldKey(fieldId))) fields.set(customFieldKey(fieldId), value)
}

/**
 * Listens to the projection's `invalid` events and repairs them (see `repairRecord`); keeps deals consistent with
 * their pipeline (see `DealConsistency`), custom-field values within their definitions (see `CustomFieldGuard`) and a
 * ticket's due time with its priority (see `TicketSlaFollower`) and with the SLA policy (see `SlaPolicyFollower`);
 * logs who sent the update.
 */
export function validationExtension(deps: {
  projection: Projection
  logger: Logger
  /** The record index (the SLA policy finds open tickets there); null until it is up. */
  index?: () => Pick<IndexWorker, 'index' | 'flush'> | null
}): Extension {
  const log = deps.logger.child('validation')
  const deals = new DealConsistency(deps.projection, deps.logger)
  let instance: Hocuspocus | null = null
  const loaded = new LoadedDocs(deps.logger.child('validation'), async (workspaceId) => {
    if (!instance) return
    const connection = await instance.openDirectConnection(docName({ workspaceId, kind: 'workspace' }), {
      system: true,
    })
    await connection.disconnect()
  })
  const customFields = new CustomFieldGuard(deps.logger, loaded)
  const ticketSla = new TicketSlaFollower(deps.logger, loaded)
  const slaPolicy = new SlaPolicyFollower(deps.logger, loaded, () => instance, deps.index ?? (() => null))
  const onEvent = (event: ProjectionEvent): void => {
    if (event.type === 'record') {
      const doc = event.after === null ? undefined : loaded.doc(event.docName)
      if (doc) migrateRecord(doc, event.kind, event.id)
      deals.onRecord(event)
      customFields.onRecord(event)
      ticketSla.onRecord(event)
    }
    if (event.type !== 'invalid') return
    if (isServerOrigin(event.origin) && event.origin.reason === 'repair') {
      log.error('repair left an invalid record', {
        docName: event.docName,
        id: event.id,
        issues: event.issues,
      })
      return
    }
    const outcome = repairRecord(event)
    log.warn('repaired invalid record', {
      docName: event.docName,
      kind: event.kind,
      id: event.id,
      outcome,
      userId: originActor(event.origin)?.actorId ?? null,
      unknownFields: event.unknownFields,
      issues: event.issues,
    })
  }
  const unsubscribe = deps.projection.on(onEvent)
  /**
   * Whether `txn` can have brought a foreign entry into a per-record document: it added or replaced an entry of the
   * record map, or (a ticket) of its messages, or changed a message's `ticketId`. An edit of the record's own fields —
   * nearly every update — cannot, and checking every entry again on it cost the update path for nothing.
   */
  const mayAddForeign = (ref: RecordDocRef, document: Y.Doc, txn: Y.Transaction): boolean => {
    const changed = txn.changed as Map<unknown, Set<string | null>>
    if (changed.has(document.getMap<unknown>(RECORD_DOC_COLLECTION[ref.kind].name))) return true
    if (ref.kind !== 'ticket') return false
    const messages: unknown = document.getMap<unknown>(COLLECTION.ticketMessages)
    for (const [type, keys] of txn.changed) {
      if (type === messages) return true
      if (type._item?.parent === messages && keys.has('ticketId')) return true
    }
    return false
  }
  /** Per-record documents (`W/deal/D`, …) → their listener's remover: a foreign entry is dropped at once. */
  const recordDocs = new Map<string, () => void>()
  const dropForeign = (documentName: string, document: Y.Doc): void => {
    const ref = parseDocName(documentName)
    if (!ref || !isRecordDocRef(ref)) return
    const drop = (_update?: Uint8Array, _origin?: unknown, _doc?: Y.Doc, txn?: Y.Transaction): void => {
      if (txn && !mayAddForeign(ref, document, txn)) return
      const dropped = dropForeignEntries(ref, document, serverOrigin('repair'))
      if (dropped.length > 0)
        log.warn('dropped foreign entries of a per-record document', { documentName, dropped })
    }
    drop()
    recordDocs.get(documentName)?.()
    document.on('update', drop)
    recordDocs.set(documentName, () => document.off('update', drop))
  }
  return {
    extensionName: 'rapport-validation',
    // After the projection extension's (listed before this one): the loaded document is projected.
    async afterLoadDocument({ documentName, document, instance: hocuspocus }) {
      instance = hocuspocus
      migrateOnLoad(log, documentName, document)
      dropForeign(documentName, document)
      deals.loaded(documentName, document)
      loaded.loaded(documentName, document)
    },
    async afterUnloadDocument({ documentName }) {
      recordDocs.get(documentName)?.()
      recordDocs.delete(documentName)
      deals.unloaded(documentName)
      loaded.unloaded(documentName)
    },
    async onDestroy() {
      unsubscribe()
      slaPolicy.stop()
    },
  }
}
