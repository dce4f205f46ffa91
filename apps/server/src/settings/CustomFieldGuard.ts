import {
  type CustomFieldEntity,
  type CustomFieldValue,
  customFieldError,
  jsonEqual,
  readCustomFields,
  writeCustomFields,
} from '@rapport/model'
import * as Y from 'yjs'
import { isServerOrigin, serverOrigin } from '../collab/directWrites.ts'
import { originActor } from '../collab/originActor.ts'
import type { Logger } from '../log/logger.ts'
import type { ProjectionEvent } from '../projection/Projection.ts'
import { KIND_SPECS, type RecordKind } from '../projection/recordKinds.ts'
import type { LoadedDocs } from './LoadedDocs.ts'

type RecordEvent = Extract<ProjectionEvent, { type: 'record' }>

const ENTITY: Partial<Record<RecordKind, CustomFieldEntity>> = {
  accounts: 'account',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
}

/**
 * Keeps custom-field values written through a document within their definitions (docs/schema.md "Custom fields"):
 * when a client writes a record whose custom values hold one that fails its field's definition (wrong type, a
 * choice that is not an option, a malformed date, URL or email), the server puts back that field's previous value
 * when it was valid, or removes it, in a `repair` transaction on the same document (broadcast and stored like any
 * update). Values of fields that are not defined (yet) are left alone, and only values that CHANGE are checked, so
 * narrowing a definition never deletes stored data. Definitions come from the workspace document while it is loaded
 * (every open client keeps it loaded) and stay known after it unloads; a record written before the workspace
 * document was ever loaded is checked once it has been.
 */
export class CustomFieldGuard {
  private readonly log: Logger

  constructor(
    logger: Logger,
    private readonly loaded: LoadedDocs,
  ) {
    this.log = logger.child('validation')
  }

  /** Checks a record again once the definitions are known (its current stored value against nothing before). */
  private recheck(event: RecordEvent): void {
    if (!this.loaded.settingsOf(event.workspaceId)) return
    const fields = this.loaded
      .doc(event.docName)
      ?.getMap<unknown>(KIND_SPECS[event.kind].collection)
      .get(event.id)
    if (!(fields instanceof Y.Map)) return
    const now = readCustomFields(fields as Y.Map<unknown>)
    this.onRecord({ ...event, before: null, after: { id: event.id, customFields: now } })
  }

  onRecord(event: RecordEvent): void {
    const entity = ENTITY[event.kind]
    if (!entity || event.after === null) return
    const after = (event.after.customFields ?? {}) as Record<string, CustomFieldValue>
    const before = (event.before?.customFields ?? {}) as Record<string, CustomFieldValue>
    if (jsonEqual(after, before)) return
    const known = this.loaded.settingsOf(event.workspaceId)
    if (!known) {
      // Not loaded since the server started: load it, then check what is stored now.
      void this.loaded.load(event.workspaceId).then(() => this.recheck(event))
      return
    }
    const defs = known.customFields.filter((d) => d.entity === entity)
    const bad = defs.filter(
      (d) => !jsonEqual(after[d.id], before[d.id]) && customFieldError(d, after[d.id]) !== null,
    )
    if (bad.length === 0) return
    if (isServerOrigin(event.origin) && event.origin.reason === 'repair') {
      this.log.error('repair left an invalid custom field', { docName: event.docName, id: event.id })
      return
    }
    const doc = this.loaded.doc(event.docName)
    const fields = doc?.getMap<unknown>(KIND_SPECS[event.kind].collection).get(event.id)
    if (!doc || !(fields instanceof Y.Map)) return
    const repaired: Record<string, CustomFieldValue> = { ...after }
    for (const def of bad) {
      const previous = before[def.id]
      if (previous !== undefined && customFieldError(def, previous) === null) repaired[def.id] = previous
      else delete repaired[def.id]
    }
    // Only the failing fields' entries are written: a valid value set at the same time is kept.
    doc.transact(
      () =>
        writeCustomFields(
          fields as Y.Map<unknown>,
          repaired,
          bad.map((d) => d.id),
        ),
      serverOrigin('repair'),
    )
    this.log.warn('repaired invalid custom field values', {
      docName: event.docName,
      kind: event.kind,
      id: event.id,
      fields: bad.map((d) => d.id),
      userId: originActor(event.origin)?.actorId ?? null,
    })
  }
}
