import type { Extension, Hocuspocus } from '@hocuspocus/server'
import { docName } from '@rapport/model'
import * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'
import type { Projection, ProjectionEvent } from '../projection/Projection.ts'
import { KIND_SPECS } from '../projection/recordKinds.ts'
import { CustomFieldGuard } from '../settings/CustomFieldGuard.ts'
import { LoadedDocs } from '../settings/LoadedDocs.ts'
import { TicketSlaFollower } from '../settings/TicketSlaFollower.ts'
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
      if (lastValid && field in lastValid && spec.fields.has(field)) fields.set(field, lastValid[field])
      else fields.delete(field)
    }
    if (spec.schema.safeParse(fields.toJSON()).success) return
    if (lastValid) {
      for (const key of [...fields.keys()])
        if (!(key in lastValid) || !spec.fields.has(key)) fields.delete(key)
      for (const [key, value] of Object.entries(lastValid)) if (spec.fields.has(key)) fields.set(key, value)
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
    if (fields.has(key) && value !== undefined) map.set(key, value)
  return map
}

/**
 * Listens to the projection's `invalid` events and repairs them (see `repairRecord`); keeps deals consistent with
 * their pipeline (see `DealConsistency`), custom-field values within their definitions (see `CustomFieldGuard`) and a
 * ticket's due time with its priority (see `TicketSlaFollower`); logs who sent the update.
 */
export function validationExtension(deps: { projection: Projection; logger: Logger }): Extension {
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
  const onEvent = (event: ProjectionEvent): void => {
    if (event.type === 'record') {
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
  return {
    extensionName: 'rapport-validation',
    // After the projection extension's (listed before this one): the loaded document is projected.
    async afterLoadDocument({ documentName, document, instance: hocuspocus }) {
      instance = hocuspocus
      deals.loaded(documentName, document)
      loaded.loaded(documentName, document)
    },
    async afterUnloadDocument({ documentName }) {
      deals.unloaded(documentName)
      loaded.unloaded(documentName)
    },
    async onDestroy() {
      unsubscribe()
    },
  }
}
