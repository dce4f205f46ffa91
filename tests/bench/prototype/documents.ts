/**
 * Issue #12 prototype (a): document sizes and first-sync costs, today's collection documents vs per-record
 * documents and a live board of one small entry per open card.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/documents.ts
 *
 * Prints Markdown tables. Timings are medians of several runs on this machine; sizes are exact.
 */
import { createAccount, createContact, createRecord, DEALS, NOTES_FIELD, Prng } from '@rapport/model'
import { generateKeyBetween } from 'fractional-indexing'
import * as Y from 'yjs'
import { median } from '../lib/stats.ts'
import { encodePos, evictClosed, moveCard, posMap } from './boardEntries.ts'
import {
  type AccountRow,
  type ContactRow,
  type DealRow,
  generateDataset,
  NOW,
  OPEN_STAGES,
} from './fixtures.ts'
import { kb, ms, printTable, timed } from './report.ts'

const ORIGIN = 'prototype'
const RECORD_MAP = 'record'

type Row = Array<string | number>

/** Size, encode and first-sync apply time of a document (median of `runs`). */
function measure(label: string, doc: Y.Doc, runs = 5): Row {
  const encodes: number[] = []
  const applies: number[] = []
  let update: Uint8Array = new Uint8Array()
  for (let i = 0; i < runs; i++) {
    const e = timed(() => Y.encodeStateAsUpdate(doc))
    encodes.push(e.ms)
    update = e.value
    const fresh = new Y.Doc()
    applies.push(timed(() => Y.applyUpdate(fresh, update)).ms)
    fresh.destroy()
  }
  return [label, kb(update.byteLength), ms(median(encodes)), ms(median(applies))]
}

function accountInput(a: AccountRow) {
  return { id: a.id, name: a.name, domain: a.domain, industry: a.industry, tier: a.tier, city: a.city }
}
function contactInput(c: ContactRow) {
  const { id, accountId, firstName, lastName, email, score, leadStatus } = c
  return { id, accountId, firstName, lastName, email, score, leadStatus }
}
function dealRecord(d: DealRow) {
  return {
    id: d.id,
    createdAt: NOW,
    updatedAt: d.updatedAt,
    archived: false,
    pipelineId: 'pip_main',
    title: d.title,
    accountId: d.accountId,
    contactIds: [],
    amount: d.amount,
    currency: d.currency,
    ownerId: null,
    expectedCloseDate: null,
    status: d.status,
    lostReason: null,
    position: { column: d.stageId, key: d.key },
    stageEnteredAt: d.updatedAt,
  }
}

/** A record's own document: its fields as one Y.Map (edits merge per field), nothing else. */
function recordDoc(fields: Record<string, unknown>): Y.Doc {
  const doc = new Y.Doc()
  doc.transact(() => {
    const map = doc.getMap<unknown>(RECORD_MAP)
    for (const [k, v] of Object.entries(fields)) map.set(k, v)
  }, ORIGIN)
  return doc
}

function notes(doc: Y.Doc, count: number): void {
  const fragment = doc.getXmlFragment(NOTES_FIELD)
  doc.transact(() => {
    fragment.insert(
      0,
      Array.from({ length: count }, (_, p) => {
        const para = new Y.XmlElement('paragraph')
        para.insert(0, [new Y.XmlText(`Call ${p}: acme globex wants a renewal quote before the summit.`)])
        return para
      }),
    )
  }, ORIGIN)
}

function main(): void {
  const data = generateDataset()
  const rows: Row[] = []

  // Today: one document per collection, at `pnpm bench`'s big-workspace size (50k contacts) and the new one.
  const todayContacts = (count: number) => {
    const doc = new Y.Doc()
    doc.transact(() => {
      for (const c of data.contacts.slice(0, count)) createContact(doc, contactInput(c), ORIGIN, { now: NOW })
    }, ORIGIN)
    return doc
  }
  const accounts = new Y.Doc()
  accounts.transact(() => {
    for (const a of data.accounts) createAccount(accounts, accountInput(a), ORIGIN, { now: NOW })
  }, ORIGIN)
  rows.push(measure(`today W/accounts, ${data.accounts.length / 1000}k accounts`, accounts, 3))
  accounts.destroy()
  for (const count of [50_000, 100_000]) {
    const doc = todayContacts(count)
    rows.push(measure(`today W/contacts, ${count / 1000}k contacts`, doc, 3))
    doc.destroy()
  }
  const pipeline = new Y.Doc()
  pipeline.transact(() => {
    for (const d of data.deals) createRecord(pipeline, DEALS, dealRecord(d), ORIGIN)
  }, ORIGIN)
  rows.push(measure(`today W/pipeline/P, ${data.deals.length / 1000}k deals`, pipeline, 3))
  pipeline.destroy()

  // Proposed: one document per record.
  const a0 = data.accounts[0] as AccountRow
  const room = recordDoc({ ...accountInput(a0), createdAt: NOW, updatedAt: NOW, archived: false })
  notes(room, 3)
  rows.push(measure('W/account/A: account fields + 3-paragraph note', room, 20))
  const longRoom = recordDoc({ ...accountInput(a0), createdAt: NOW, updatedAt: NOW, archived: false })
  notes(longRoom, 300)
  rows.push(measure('W/account/A: account fields + 300-paragraph note', longRoom, 20))
  const c0 = data.contacts[0] as ContactRow
  rows.push(measure('W/contact/C: one contact', recordDoc({ ...c0, createdAt: NOW, archived: false }), 20))
  const d0 = data.deals[0] as DealRow
  rows.push(measure('W/deal/D: one deal', recordDoc(dealRecord(d0)), 20))

  // Proposed: the live board, one entry per open card (positions only), 20k open deals.
  const open = data.deals.filter((d) => d.status === 'open')
  const board = new Y.Doc()
  board.transact(() => {
    for (const d of open) {
      moveCard(board, d.id, encodePos(d.stageId, d.key, 'open', d.updatedAt), ORIGIN)
    }
  }, ORIGIN)
  rows.push(measure(`W/board/P: ${open.length / 1000}k open cards (positions only)`, board, 5))

  // Churn: every card moved 5 times (a busy quarter), then 5k cards closed and evicted.
  const prng = new Prng(3)
  for (let round = 0; round < 5; round++) {
    board.transact(() => {
      for (const d of open) {
        const stageId = OPEN_STAGES[prng.int(OPEN_STAGES.length)] as string
        moveCard(board, d.id, encodePos(stageId, generateKeyBetween(null, null), 'open', NOW), ORIGIN)
      }
    }, ORIGIN)
  }
  rows.push(measure('W/board/P after 100k moves (5 per card)', board, 5))
  board.transact(() => {
    for (const d of open.slice(0, 5_000)) {
      moveCard(board, d.id, encodePos('stg_won', 'a0', 'won', NOW), ORIGIN)
    }
  }, ORIGIN)
  const evicted = evictClosed(board, NOW + 8 * 86_400_000, ORIGIN)
  rows.push(measure(`W/board/P after closing and evicting ${evicted.length / 1000}k cards`, board, 5))
  rows.push([`(entries left on the board: ${posMap(board).size})`, '', '', ''])

  printTable(
    'Documents: size and first sync (encode on the server, apply on a fresh replica)',
    ['document', 'size', 'encode ms', 'apply ms'],
    rows,
  )

  // Today's cold start decodes every collection document; the proposal decodes none (the index is on disk).
  const lines: Row[] = []
  const apply1000 = timed(() => {
    for (const c of data.contacts.slice(0, 1000)) {
      const doc = recordDoc({ ...c, createdAt: NOW, archived: false })
      const fresh = new Y.Doc()
      Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc))
      fresh.destroy()
      doc.destroy()
    }
  })
  lines.push(['encode + apply 1,000 contact documents one by one', ms(apply1000.ms)])
  printTable('Many small documents', ['what', 'ms'], lines)
}

main()
