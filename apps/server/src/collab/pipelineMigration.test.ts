import type { Extension } from '@hocuspocus/server'
import {
  initWorkspace,
  type Pipeline,
  readSettings,
  SETTINGS_FORMAT,
  SETTINGS_KEY,
  settingsFormat,
  settingsMap,
  updateStage,
} from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { pipelineMigrationExtension } from './pipelineMigration.ts'

type Hooks = Required<Pick<Extension, 'afterLoadDocument' | 'afterUnloadDocument'>>
const NAME = 'ws_1/workspace'

function pipelines(doc: Y.Doc): Y.Map<unknown> {
  return settingsMap(doc).get(SETTINGS_KEY.pipelines) as Y.Map<unknown>
}

/**
 * A workspace document as stored before the per-field format (no `format`): every pipeline one plain value, and a
 * select field as a definition map with its choices as one plain array (the layout before per-choice maps).
 */
function oldWorkspace(): { doc: Y.Doc; sales: Pipeline } {
  const doc = new Y.Doc()
  initWorkspace(doc, { name: 'Acme' }, 'seed')
  const all = readSettings(doc).pipelines
  doc.transact(() => {
    settingsMap(doc).delete(SETTINGS_KEY.format)
    for (const p of all) pipelines(doc).set(p.id, p)
    const fields = settingsMap(doc).get(SETTINGS_KEY.customFields) as Y.Map<unknown>
    fields.set('cf_plan', { id: 'cf_plan', label: 'Plan', entity: 'account', type: 'text', options: [] })
    const tier = new Y.Map<unknown>()
    for (const [k, v] of Object.entries({ id: 'cf_tier', label: 'Tier', entity: 'deal', type: 'select' }))
      tier.set(k, v)
    tier.set('options', ['Gold', 'Silver'])
    fields.set('cf_tier', tier)
  })
  return { doc, sales: all[0] as Pipeline }
}

async function load(hooks: Hooks, doc: Y.Doc, documentName = NAME): Promise<void> {
  await hooks.afterLoadDocument({ documentName, document: doc } as never)
}

describe('pipelineMigrationExtension', () => {
  it('converts the plain pipelines and custom fields of a loaded workspace document in one update; what reads does not change', async () => {
    const { doc, sales } = oldWorkspace()
    const before = readSettings(doc)
    let updates = 0
    doc.on('update', () => updates++)
    await load(pipelineMigrationExtension(silentLogger()) as Hooks, doc)
    expect(updates).toBe(1)
    expect(pipelines(doc).get(sales.id)).toBeInstanceOf(Y.Map)
    expect([...pipelines(doc).values()].every((p) => p instanceof Y.Map)).toBe(true)
    const fields = settingsMap(doc).get(SETTINGS_KEY.customFields) as Y.Map<unknown>
    expect(fields.get('cf_plan')).toBeInstanceOf(Y.Map)
    expect((fields.get('cf_tier') as Y.Map<unknown>).get('options')).toBeInstanceOf(Y.Map)
    expect(before.customFields.find((f) => f.id === 'cf_tier')?.options).toEqual(['Gold', 'Silver'])
    expect(readSettings(doc)).toEqual(before)
    // The raised format tells a tab from before the upgrade that it is out of date.
    expect(settingsFormat(doc)).toBe(SETTINGS_FORMAT)
  })

  it('converts again after an old client writes a plain value, and stops at unload', async () => {
    const hooks = pipelineMigrationExtension(silentLogger()) as Hooks
    const { doc, sales } = oldWorkspace()
    await load(hooks, doc)
    const renamed = { ...sales, name: 'Old tab' }
    doc.transact(() => pipelines(doc).set(sales.id, renamed), 'old-client')
    expect(pipelines(doc).get(sales.id)).toBeInstanceOf(Y.Map)
    expect(readSettings(doc).pipelines[0]).toEqual(renamed)
    // Converted, it merges per field again: a stage edit leaves the rename alone.
    updateStage(doc, sales.id, sales.stages[0]?.id as string, { probability: 0.3 }, 'admin')
    expect(readSettings(doc).pipelines[0]?.name).toBe('Old tab')

    await hooks.afterUnloadDocument({ documentName: NAME } as never)
    doc.transact(() => pipelines(doc).set(sales.id, sales), 'old-client')
    expect(pipelines(doc).get(sales.id)).not.toBeInstanceOf(Y.Map)
  })

  it('leaves documents other than the workspace document alone', async () => {
    const { doc, sales } = oldWorkspace()
    await load(pipelineMigrationExtension(silentLogger()) as Hooks, doc, 'ws_1/account/acc_1')
    expect(pipelines(doc).get(sales.id)).not.toBeInstanceOf(Y.Map)
  })
})
