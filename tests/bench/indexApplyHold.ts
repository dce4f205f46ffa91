/**
 * How long one live edit's index apply holds the event loop (not part of `pnpm bench`; issue #12's 2-client tail):
 * a SQLite record index on a temp file, 100 deals, then `HOLD_APPLIES` (default 400) applies of one deal whose title
 * changes (with its document's state vector, as the IndexWorker's live batches carry), one after another. A
 * `setImmediate` ticker runs meanwhile: the longest gap between its turns during an apply is how long a message arriving
 * then (the next edit) waits for the index. Prints the CPU per apply, the apply's time and the hold, p50 / p99 / max (ms).
 *
 *   npx tsx tests/bench/indexApplyHold.ts
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openRecordIndex } from '@rapport/server'
import { summarize } from './lib/stats.ts'

const applies = Number(process.env.HOLD_APPLIES ?? 400)
const dir = mkdtempSync(join(tmpdir(), 'rapport-index-hold-'))
const index = await openRecordIndex(dir, { kind: 'sqlite' })
const T0 = 1_700_000_000_000
const deal = (id: string, title: string) => ({
  id,
  createdAt: T0,
  updatedAt: T0,
  archived: false,
  pipelineId: 'p1',
  title,
  accountId: null,
  contactIds: [],
  amount: 1000,
  currency: 'USD',
  ownerId: null,
  expectedCloseDate: null,
  status: 'open',
  lostReason: null,
  position: { column: 'lead', key: 'a0' },
  stageEnteredAt: T0,
  customFields: {},
})
const change = (id: string, title: string) => ({
  op: 'upsert' as const,
  workspaceId: 'ws_hold',
  kind: 'deals' as const,
  id,
  doc: `ws_hold/deal/${id}`,
  record: deal(id, title),
})
try {
  await index.apply({ records: Array.from({ length: 100 }, (_, i) => change(`deal_${i}`, `Deal ${i}`)) })
  const cpuBefore = process.cpuUsage()
  const took: number[] = []
  const held: number[] = []
  for (let i = 0; i < applies; i++) {
    let applying = true
    let last = performance.now()
    let longest = 0
    const tick = () => {
      const now = performance.now()
      longest = Math.max(longest, now - last)
      last = now
      if (applying) setImmediate(tick)
    }
    setImmediate(tick)
    const started = performance.now()
    await index.apply({
      records: [change('deal_7', `L:${i}:${Date.now()}`)],
      docStates: [{ doc: 'ws_hold/deal/deal_7', stateVector: new Uint8Array([1, 2, 3, i & 0xff]) }],
    })
    took.push(performance.now() - started)
    applying = false
    tick()
    held.push(longest)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  const cpu = process.cpuUsage(cpuBefore)
  console.log(
    `CPU per apply (this process, every thread): ${((cpu.user + cpu.system) / applies).toFixed(0)} µs`,
  )
  const line = (what: string, values: number[]) => {
    const s = summarize(values.slice(20))
    console.log(`${what}: p50 ${s.p50.toFixed(3)} p99 ${s.p99.toFixed(3)} max ${s.max.toFixed(3)} ms`)
  }
  line('apply of one deal (wall)', took)
  line('longest event-loop hold during it', held)
} finally {
  await index.close()
  rmSync(dir, { recursive: true, force: true })
}
