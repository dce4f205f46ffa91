import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  collectionMap,
  createDeal,
  DEALS,
  defaultPipelines,
  docName,
  endOfColumn,
  moveDeal,
  type WorkspaceSettings,
} from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { Projection } from '../projection/Projection.ts'
import { IndexWorker } from '../recordIndex/IndexWorker.ts'
import { dropPostgresIndexSchema, openPostgresRecordIndex } from '../recordIndex/postgresRecordIndex.ts'
import type { RecordIndex } from '../recordIndex/RecordIndex.ts'
import { openSqliteRecordIndex } from '../recordIndex/sqliteRecordIndex.ts'
import { ReportService } from './ReportService.ts'

/*
 * Moves of one deal that the IndexWorker coalesces into one change (queued in one tick: a script, an offline client's
 * burst) each reach the stage history, with their times: the middle stage counts in sales.funnel (reached, days in
 * stage). On both index stores.
 */

const W = 'ws_moves'
const DAY = 86_400_000
const T0 = Date.UTC(2026, 0, 5)
const NOW = T0 + 30 * DAY
let n = 0
const PIPELINES = defaultPipelines((prefix) => `${prefix}_m${n++}`)
const SETTINGS = {
  name: 'Moves',
  pipelines: PIPELINES,
  customFields: [],
  currency: { base: 'USD', rates: {} },
} as unknown as WorkspaceSettings

const STORES: Array<{ name: string; open: () => Promise<{ index: RecordIndex; dispose(): Promise<void> }> }> =
  [
    {
      name: 'SQLite',
      open: async () => {
        const dir = await mkdtemp(join(tmpdir(), 'rapport-moves-'))
        const index = await openSqliteRecordIndex(join(dir, 'index.sqlite'))
        return { index, dispose: () => rm(dir, { recursive: true, force: true }) }
      },
    },
    {
      name: 'PostgreSQL',
      open: async () => {
        const schema = `moves_${process.pid}_${randomBytes(4).toString('hex')}`
        const index = await openPostgresRecordIndex({ schema })
        return { index, dispose: () => dropPostgresIndexSchema(schema) }
      },
    },
  ]

describe.each(STORES)('coalesced moves of a deal ($name)', (store) => {
  it('two moves in one index batch: both stages in the stage history and in sales.funnel', async () => {
    const { index, dispose } = await store.open()
    const projection = new Projection(silentLogger())
    const name = docName({ workspaceId: W, kind: 'deal', dealId: 'deal_1' })
    const doc = new Y.Doc()
    projection.attach(name, doc)
    const applies: number[] = []
    const counted: RecordIndex = Object.create(index)
    counted.apply = (batch) => {
      applies.push(batch.records?.length ?? 0)
      return index.apply(batch)
    }
    const worker = new IndexWorker({
      index: counted,
      projection,
      logger: silentLogger(),
      docOf: (other) => (other === name ? doc : undefined),
    })
    worker.start()
    try {
      const pipeline = PIPELINES[0]
      const [first, second, third] = (pipeline?.stages ?? []).filter((s) => s.outcome === 'open')
      if (!pipeline || !first || !second || !third)
        throw new Error('the default pipeline has three open stages')
      const stages = pipeline.stages
      createDeal(
        doc,
        {
          id: 'deal_1',
          pipelineId: pipeline.id,
          title: 'Deal',
          stageId: first.id,
          amount: 100,
          currency: 'USD',
        },
        'test',
        { stages, now: T0 },
      )
      await worker.flush()
      // Two moves in one tick: one change of the deal reaches the index (its document's state may come apart).
      const move = (stage: string, now: number) =>
        moveDeal(doc, 'deal_1', endOfColumn(collectionMap(doc, DEALS), stage), 'test', { stages, now })
      move(second.id, T0 + 2 * DAY)
      move(third.id, T0 + 5 * DAY)
      await worker.flush()
      expect(applies.filter((records) => records > 0)).toEqual([1, 1])

      const history = await index.stageHistory(W, ['deal_1'])
      expect(history.map((h) => [h.fromStage, h.toStage, h.at])).toEqual([
        [null, first.id, T0],
        [first.id, second.id, T0 + 2 * DAY],
        [second.id, third.id, T0 + 5 * DAY],
      ])

      const service = new ReportService({
        index: () => index,
        settings: async () => SETTINGS,
        members: () => [],
        now: () => NOW,
      })
      const funnel = await service.report(W, 'sales.funnel', { period: 'all' })
      const row = (id: string) => funnel.rows.find((r) => r.key === id)?.values
      expect(row(first.id)).toMatchObject({ reached: 1, avgDays: 2 })
      expect(row(second.id)).toMatchObject({ reached: 1, avgDays: 3 })
      expect(row(third.id)).toMatchObject({ reached: 1, avgDays: 25 })
    } finally {
      await worker.stop()
      await index.close()
      await dispose()
    }
  })
})
