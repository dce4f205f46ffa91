import type { Extension } from '@hocuspocus/server'
import {
  convertPlainCustomFields,
  convertPlainPipelines,
  markSettingsFormat,
  parseDocName,
} from '@rapport/model'
import type * as Y from 'yjs'
import type { Logger } from '../log/logger.ts'
import { serverOrigin } from './directWrites.ts'

/**
 * Converts the pipelines and custom field definitions of a workspace document (`W/workspace`) stored as old plain
 * values (a plain pipeline or definition, or a definition's choices as one plain array) into the per-field structure
 * (docs/schema.md §3.8), and raises the document's `format` to `SETTINGS_FORMAT`, in one `repair` transaction
 * (broadcast and stored like any update; the audit skips it): when the document loads, and again after any update
 * that wrote a plain value (an open tab from before the upgrade replaces a whole value as it always did). Readers read
 * both forms, so this changes no value anyone sees; it only lets later concurrent edits merge per field. The raised
 * `format` tells a tab from before the upgrade to reload. Idempotent.
 */
export function pipelineMigrationExtension(logger: Logger): Extension {
  const log = logger.child('pipelines')
  const listeners = new Map<string, () => void>()
  const convert = (documentName: string, document: Y.Doc, when: string): void => {
    const origin = serverOrigin('repair')
    let pipelines: string[] = []
    let customFields: string[] = []
    let format = false
    // One transaction (the inner ones join it); none at all when nothing is plain and the format is current.
    document.transact(() => {
      pipelines = convertPlainPipelines(document, origin)
      customFields = convertPlainCustomFields(document, origin)
      format = markSettingsFormat(document, origin)
    }, origin)
    if (pipelines.length + customFields.length > 0 || format)
      log.info('converted plain settings', { documentName, when, pipelines, customFields, format })
  }
  return {
    extensionName: 'rapport-pipeline-migration',
    async afterLoadDocument({ documentName, document }) {
      if (parseDocName(documentName)?.kind !== 'workspace') return
      convert(documentName, document, 'load')
      const onUpdate = (): void => convert(documentName, document, 'update')
      listeners.get(documentName)?.()
      document.on('update', onUpdate)
      listeners.set(documentName, () => document.off('update', onUpdate))
    },
    async afterUnloadDocument({ documentName }) {
      listeners.get(documentName)?.()
      listeners.delete(documentName)
    },
  }
}
