import { LEGACY_CUSTOM_FIELDS_KEY, migrateCustomFields } from '@rapport/model'
import * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'
import { KIND_SPECS, RECORD_KINDS, type RecordKind } from '../projection/recordKinds.ts'
import { serverOrigin } from './directWrites.ts'

/**
 * Moves records written in the old custom-field form (one `customFields` object per record) into per-field entries
 * (`cf:<fieldId>`, docs/schema.md §3.9), in one `repair` transaction on the document (broadcast and stored like any
 * update; the audit skips it). Readers already merge both forms, so this changes no value anyone sees. Returns how
 * many records it moved.
 */
export function migrateLegacyCustomFields(doc: Y.Doc, kinds: readonly RecordKind[] = RECORD_KINDS): number {
  const legacy: Array<Y.Map<unknown>> = []
  for (const kind of kinds) {
    if (!doc.share.has(KIND_SPECS[kind].collection)) continue
    for (const record of doc.getMap<unknown>(KIND_SPECS[kind].collection).values())
      if (record instanceof Y.Map && record.has(LEGACY_CUSTOM_FIELDS_KEY))
        legacy.push(record as Y.Map<unknown>)
  }
  if (legacy.length === 0) return 0
  doc.transact(() => {
    for (const record of legacy) migrateCustomFields(record)
  }, serverOrigin('repair'))
  return legacy.length
}

/** Migrates a loaded document and logs it when it held old-form records. */
export function migrateOnLoad(logger: Logger, docName: string, doc: Y.Doc): void {
  const moved = migrateLegacyCustomFields(doc)
  if (moved > 0) logger.info('moved custom field values to per-field entries', { docName, records: moved })
}

/** Migrates one record when a client wrote it in the old form (an out-of-date client). */
export function migrateRecord(doc: Y.Doc, kind: RecordKind, id: string): void {
  const record = doc.getMap<unknown>(KIND_SPECS[kind].collection).get(id)
  if (!(record instanceof Y.Map) || !record.has(LEGACY_CUSTOM_FIELDS_KEY)) return
  doc.transact(() => migrateCustomFields(record as Y.Map<unknown>), serverOrigin('repair'))
}
