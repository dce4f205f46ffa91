import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDeal, customFieldKey, DEALS, defaultPipelines, moveDeal } from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../log/logger.ts'
import { sqliteStore } from '../sqliteStore.ts'
import { MIGRATION_CLIENT_ID, splitDealsIn } from './splitDeals.ts'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const [pipeline] = defaultPipelines()
if (!pipeline) throw new Error('no pipeline')
const [lead, next] = pipeline.stages
const lost = pipeline.stages.find((s) => s.outcome === 'lost')

/** A format-2 documents.sqlite with pipeline documents as format 1/2 kept them, plus the document names written. */
async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-split-'))
  dirs.push(dir)
  const file = join(dir, 'documents.sqlite')
  const store = sqliteStore({ file })
  // Two writers (two clientIDs) in one pipeline document, a custom-field entry, a lost deal, an update in the log.
  const a = new Y.Doc()
  const b = new Y.Doc()
  createDeal(a, { id: 'deal_a', pipelineId: pipeline?.id ?? '', title: 'A', stageId: lead?.id ?? '' }, 'x', {
    stages: pipeline?.stages,
  })
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
  createDeal(b, { id: 'deal_b', pipelineId: 'pip_wrong', title: 'B', stageId: lost?.id ?? '' }, 'x', {
    stages: pipeline?.stages,
  })
  b.transact(() => {
    const fields = b.getMap<Y.Map<unknown>>(DEALS.name).get('deal_b')
    fields?.set(customFieldKey('cf_score'), 42)
    fields?.set('lostReason', 'Budget')
  })
  const name = `ws_1/pipeline/${pipeline?.id}`
  await store.store(name, Y.encodeStateAsUpdate(b))
  const before = Y.encodeStateVector(b)
  moveDeal(b, 'deal_a', { column: next?.id ?? '', key: 'a7' }, 'x', { stages: pipeline?.stages })
  await store.appendUpdate(name, Y.encodeStateAsUpdate(b, before))
  // Not valid as a deal id: skipped, never a document name.
  b.getMap<unknown>(DEALS.name).set('bad/id', new Y.Map())
  await store.store(name, Y.encodeStateAsUpdate(b))
  await store.close()
  return { file, dealsDoc: b, name }
}

const read = async (file: string) => {
  const store = sqliteStore({ file })
  const out = new Map<string, Uint8Array>()
  for (const name of await store.list()) out.set(name, (await store.load(name)) as Uint8Array)
  await store.close()
  return out
}

const dealsOf = (state: Uint8Array | undefined): Record<string, Record<string, unknown>> => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getMap(DEALS.name).toJSON() as Record<string, Record<string, unknown>>
}

describe('format step splitDeals', () => {
  it('moves every deal, field by field, into its own document and deletes the pipeline document', async () => {
    const { file, dealsDoc, name } = await fixture()
    expect(await splitDealsIn(file, silentLogger())).toEqual({ pipelines: 1, deals: 2 })
    const docs = await read(file)
    expect([...docs.keys()].sort()).toEqual(['ws_1/deal/deal_a', 'ws_1/deal/deal_b'])
    expect(docs.has(name)).toBe(false)
    const original = dealsDoc.getMap(DEALS.name).toJSON() as Record<string, Record<string, unknown>>
    expect(dealsOf(docs.get('ws_1/deal/deal_a'))).toEqual({ deal_a: original.deal_a })
    // The deal belonged to the pipeline of its document: pipelineId follows it; every other entry is kept.
    expect(dealsOf(docs.get('ws_1/deal/deal_b'))).toEqual({
      deal_b: { ...original.deal_b, pipelineId: pipeline?.id },
    })
    expect(dealsOf(docs.get('ws_1/deal/deal_b')).deal_b?.[customFieldKey('cf_score')]).toBe(42)
    const doc = new Y.Doc()
    Y.applyUpdate(doc, docs.get('ws_1/deal/deal_a') as Uint8Array)
    expect([...doc.store.clients.keys()]).toEqual([MIGRATION_CLIENT_ID])
  })

  it('is rerun-safe: a crash before the pipeline document was deleted reruns to the same documents', async () => {
    const { file, name } = await fixture()
    const store = sqliteStore({ file })
    const pipelineState = (await store.load(name)) as Uint8Array
    await store.close()
    await splitDealsIn(file, silentLogger())
    const first = await read(file)
    // The pipeline document is back as if the first run had stopped before deleting it.
    const again = sqliteStore({ file })
    await again.store(name, pipelineState)
    await again.close()
    expect(await splitDealsIn(file, silentLogger())).toEqual({ pipelines: 1, deals: 2 })
    const second = await read(file)
    expect([...second.keys()]).toEqual([...first.keys()])
    for (const [docName, state] of first) {
      expect(dealsOf(second.get(docName))).toEqual(dealsOf(state))
      const a = new Y.Doc()
      const b = new Y.Doc()
      Y.applyUpdate(a, state)
      Y.applyUpdate(b, second.get(docName) as Uint8Array)
      expect(Buffer.from(Y.encodeStateAsUpdate(b)).equals(Buffer.from(Y.encodeStateAsUpdate(a)))).toBe(true)
    }
    // Nothing to do on a third run.
    expect(await splitDealsIn(file, silentLogger())).toEqual({ pipelines: 0, deals: 0 })
  })
})
