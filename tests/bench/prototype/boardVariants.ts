/**
 * Issue #12 prototype (a, board): how small can one entry per open card be? 20k open deals in one pipeline.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/boardVariants.ts
 */
import { Prng } from '@rapport/model'
import { generateKeyBetween } from 'fractional-indexing'
import * as Y from 'yjs'
import { median } from '../lib/stats.ts'
import { type DealRow, generateDataset, OPEN_STAGES } from './fixtures.ts'
import { kb, ms, printTable, timed } from './report.ts'

type Variant = { name: string; value: (d: DealRow, stageId: string, key: string) => unknown; face?: boolean }

const VARIANTS: Variant[] = [
  {
    name: 'pos object + face object (two maps)',
    value: (d, stageId, key) => ({ stageId, key, status: 'open', enteredAt: d.updatedAt }),
    face: true,
  },
  {
    name: 'pos object {stageId, key, status, enteredAt}',
    value: (d, stageId, key) => ({ stageId, key, status: 'open', enteredAt: d.updatedAt }),
  },
  {
    name: 'pos tuple [stageId, key, status, enteredAt minutes]',
    value: (d, stageId, key) => [stageId, key, 'o', Math.floor(d.updatedAt / 60_000)],
  },
  { name: 'pos string "stageId key status"', value: (_d, stageId, key) => `${stageId} ${key} o` },
]

function build(open: DealRow[], v: Variant): Y.Doc {
  const doc = new Y.Doc()
  doc.transact(() => {
    const pos = doc.getMap('pos')
    const card = doc.getMap('card')
    for (const d of open) {
      pos.set(d.id, v.value(d, d.stageId, d.key))
      if (v.face) {
        card.set(d.id, { title: d.title, amount: d.amount, currency: d.currency, ownerId: d.ownerId })
      }
    }
  })
  return doc
}

function sizeAndTimes(doc: Y.Doc): [string, string, string] {
  const enc: number[] = []
  const app: number[] = []
  let update: Uint8Array = new Uint8Array()
  for (let i = 0; i < 5; i++) {
    const e = timed(() => Y.encodeStateAsUpdate(doc))
    update = e.value
    enc.push(e.ms)
    const fresh = new Y.Doc()
    app.push(timed(() => Y.applyUpdate(fresh, update)).ms)
    fresh.destroy()
  }
  return [kb(update.byteLength), ms(median(enc)), ms(median(app))]
}

function main(): void {
  const open = generateDataset().deals.filter((d) => d.status === 'open')
  const rows: Array<Array<string | number>> = []
  for (const v of VARIANTS) {
    const doc = build(open, v)
    rows.push([v.name, 'fresh', ...sizeAndTimes(doc)])
    const prng = new Prng(3)
    for (let round = 0; round < 5; round++) {
      doc.transact(() => {
        const pos = doc.getMap('pos')
        for (const d of open) {
          const stageId = OPEN_STAGES[prng.int(OPEN_STAGES.length)] as string
          pos.set(d.id, v.value(d, stageId, generateKeyBetween(null, null)))
        }
      })
    }
    rows.push([v.name, 'after 5 moves per card', ...sizeAndTimes(doc)])
    doc.destroy()
  }
  printTable(
    `Board document variants, ${open.length} open cards`,
    ['entry', 'history', 'size', 'encode ms', 'apply ms'],
    rows,
  )
}

main()
