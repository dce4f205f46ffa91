import {
  appendDocToText,
  createAccount,
  createContact,
  createHandoff,
  createRecord,
  DEALS,
  docName,
  NOTES_TEXT_FIELD,
  TICKETS,
} from '@rapport/model'
import type { DocumentStore } from '@rapport/server'
import { generateNKeysBetween } from 'fractional-indexing'
import * as Y from 'yjs'
import { wonHandoffId } from '../../../apps/server/src/automation/wonHandoffId.ts'
import { openDataDirDocs } from './dataDirStore.ts'

export type WorkspaceSize = {
  accounts: number
  contacts: number
  /** Open deals, spread over the pipeline's open stages. */
  deals: number
  /** Won and lost deals (alternating) in the same pipeline, in its last two stages (won, lost). */
  closedDeals: number
  tickets: number
  notes: number
}

export type Generated = {
  /** Words that occur in generated names, for search queries. */
  searchTerms: string[]
  /** The account room with the long note (typing test, browser). */
  longNoteDoc: string
  longNoteAccountId: string
  /** Every account whose room holds a long note (the first is `longNoteAccountId`). */
  longNoteAccountIds: string[]
  docs: Array<{ label: string; name: string }>
}

const ORIGIN = 'bench-generator'
const WORDS = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'stark',
  'wayne',
  'wonka',
  'tyrell',
  'cyberdyne',
  'soylent',
  'hooli',
  'vandelay',
  'massive',
  'dynamic',
  'north',
  'blue',
  'river',
  'summit',
  'harbor',
  'atlas',
  'nova',
  'pixel',
  'quantum',
  'silver',
  'granite',
  'orbit',
  'falcon',
  'cedar',
  'lumen',
  'vertex',
]
/** The people's names (exported: the dedupe phase asks for a new contact with one of these common names). */
export const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Frances',
  'Edsger',
]
export const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
]
const INDUSTRIES = ['software', 'retail', 'finance', 'health', 'energy', 'logistics', 'media', 'education']
const CITIES = ['Berlin', 'Paris', 'Lisbon', 'Austin', 'Toronto', 'Osaka', 'Nairobi', 'Sydney']

/** mulberry32: a small seeded PRNG so every run generates the same workspace (and the dedupe phase its rows). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function loadDoc(store: DocumentStore, name: string): Promise<Y.Doc> {
  const doc = new Y.Doc()
  const state = await store.load(name)
  if (state) Y.applyUpdate(doc, state)
  return doc
}

/** Paragraphs appended to a room's notes text (notes text v2, docs/schema.md §3.5.1), as the editor writes them. */
function paragraphs(text: Y.Text, texts: string[]): void {
  appendDocToText(text, {
    type: 'doc',
    content: texts.map((line) => ({ type: 'paragraph', content: [{ type: 'text', text: line }] })),
  })
}

/**
 * Writes a big workspace straight into a Rapport data dir through the server's DocumentStore (the one the data dir
 * holds: SQLite or lowdb), using the
 * model's commands (accounts, contacts) and its generic `createRecord` with precomputed fractional keys
 * (deals, tickets: `createDeal` would rescan the column per insert). Adds to what the seed put there.
 */
export async function generateWorkspace(opts: {
  dataDir: string
  workspaceId: string
  pipelineId: string
  stageIds: string[]
  size: WorkspaceSize
  seed?: number
  /** How many of the note rooms get a long (300-paragraph) note; default 1. */
  longNotes?: number
}): Promise<Generated> {
  const { workspaceId, size } = opts
  const rand = prng(opts.seed ?? 42)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  const store = openDataDirDocs(opts.dataDir)
  const now = Date.UTC(2026, 0, 15)
  const name = (kind: 'accounts' | 'contacts' | 'support') => docName({ workspaceId, kind })
  const pipelineDoc = docName({ workspaceId, kind: 'pipeline', pipelineId: opts.pipelineId })

  const accounts = await loadDoc(store, name('accounts'))
  const accountIds: string[] = []
  accounts.transact(() => {
    for (let i = 0; i < size.accounts; i++) {
      const id = `acc_b${i}`
      accountIds.push(id)
      createAccount(
        accounts,
        {
          id,
          name: `${pick(WORDS)} ${pick(WORDS)} ${i}`,
          domain: `${pick(WORDS)}${i}.example`,
          industry: pick(INDUSTRIES),
          tier: pick(['strategic', 'growth', 'standard'] as const),
          city: pick(CITIES),
          country: 'DE',
        },
        ORIGIN,
        { now },
      )
    }
  }, ORIGIN)
  await store.store(name('accounts'), Y.encodeStateAsUpdate(accounts))

  const contacts = await loadDoc(store, name('contacts'))
  contacts.transact(() => {
    for (let i = 0; i < size.contacts; i++) {
      const first = pick(FIRST)
      const last = pick(LAST)
      createContact(
        contacts,
        {
          id: `con_b${i}`,
          accountId: pick(accountIds),
          firstName: first,
          lastName: last,
          email: `${first}.${last}${i}@example.com`.toLowerCase(),
          score: Math.floor(rand() * 101),
          leadStatus: pick(['new', 'contacted', 'qualified', 'unqualified', 'customer'] as const),
        },
        ORIGIN,
        { now },
      )
    }
  }, ORIGIN)
  await store.store(name('contacts'), Y.encodeStateAsUpdate(contacts))

  const deals = await loadDoc(store, pipelineDoc)
  const openStages = opts.stageIds.slice(0, Math.max(1, opts.stageIds.length - 2))
  const perStage = Math.ceil(size.deals / openStages.length)
  const dealKeys = generateNKeysBetween(null, null, perStage)
  deals.transact(() => {
    for (let i = 0; i < size.deals; i++) {
      const stage = openStages[i % openStages.length] as string
      createRecord(
        deals,
        DEALS,
        {
          id: `deal_b${i}`,
          createdAt: now,
          updatedAt: now,
          archived: false,
          pipelineId: opts.pipelineId,
          title: `${pick(WORDS)} renewal ${i}`,
          accountId: pick(accountIds),
          contactIds: [],
          amount: Math.floor(rand() * 100_000),
          currency: 'EUR',
          ownerId: null,
          expectedCloseDate: null,
          status: 'open',
          lostReason: null,
          position: { column: stage, key: dealKeys[Math.floor(i / openStages.length)] },
          stageEnteredAt: now,
        },
        ORIGIN,
      )
    }
  }, ORIGIN)
  const [wonStage, lostStage] = opts.stageIds.slice(-2)
  const closedKeys = generateNKeysBetween(null, null, Math.ceil(size.closedDeals / 2))
  // Won deal k (deal_c<2k>) belongs to note room k mod notes, which also gets its handoff draft below: the server
  // would have created it when the deal was won, and would otherwise create every missing one at start.
  const wonAccount = (k: number) =>
    size.notes > 0 ? (accountIds[k % size.notes] ?? pick(accountIds)) : pick(accountIds)
  deals.transact(() => {
    for (let i = 0; i < size.closedDeals; i++) {
      const won = i % 2 === 0
      createRecord(
        deals,
        DEALS,
        {
          id: `deal_c${i}`,
          createdAt: now,
          updatedAt: now,
          archived: false,
          pipelineId: opts.pipelineId,
          title: `${pick(WORDS)} closed ${i}`,
          accountId: won ? wonAccount(i / 2) : pick(accountIds),
          contactIds: [],
          amount: Math.floor(rand() * 100_000),
          currency: 'EUR',
          ownerId: null,
          expectedCloseDate: null,
          status: won ? 'won' : 'lost',
          lostReason: won ? null : 'Generated by the benchmark.',
          position: { column: (won ? wonStage : lostStage) ?? '', key: closedKeys[Math.floor(i / 2)] },
          stageEnteredAt: now,
        },
        ORIGIN,
      )
    }
  }, ORIGIN)
  await store.store(pipelineDoc, Y.encodeStateAsUpdate(deals))

  const support = await loadDoc(store, name('support'))
  const statuses = ['new', 'open', 'waiting', 'resolved'] as const
  const ticketKeys = generateNKeysBetween(null, null, Math.ceil(size.tickets / statuses.length))
  support.transact(() => {
    for (let i = 0; i < size.tickets; i++) {
      createRecord(
        support,
        TICKETS,
        {
          id: `tkt_b${i}`,
          createdAt: now,
          updatedAt: now,
          archived: false,
          subject: `${pick(WORDS)} cannot log in ${i}`,
          description: 'Generated by the benchmark.',
          accountId: pick(accountIds),
          contactId: null,
          priority: pick(['low', 'normal', 'high', 'urgent'] as const),
          position: {
            column: statuses[i % statuses.length],
            key: ticketKeys[Math.floor(i / statuses.length)],
          },
          assigneeId: null,
          slaDueAt: null,
          firstResponseAt: null,
          resolvedAt: null,
          csat: null,
        },
        ORIGIN,
      )
    }
  }, ORIGIN)
  await store.store(name('support'), Y.encodeStateAsUpdate(support))

  // Notes: one account room per note; the first `longNotes` (default 1) are long (300 paragraphs).
  const longNotes = opts.longNotes ?? 1
  const wonCount = Math.ceil(size.closedDeals / 2)
  let longNoteDoc = ''
  for (let i = 0; i < size.notes; i++) {
    const accountId = accountIds[i] ?? `acc_b${i}`
    const room = docName({ workspaceId, kind: 'account', accountId })
    const doc = new Y.Doc()
    const count = i < longNotes ? 300 : 3
    doc.transact(() => {
      paragraphs(
        doc.getText(NOTES_TEXT_FIELD),
        Array.from(
          { length: count },
          (_, p) => `Call ${p}: ${pick(WORDS)} ${pick(WORDS)} wants ${pick(WORDS)}.`,
        ),
      )
      for (let k = i; k < wonCount; k += size.notes) {
        const dealId = `deal_c${2 * k}`
        createHandoff(
          doc,
          { id: wonHandoffId(dealId), accountId, dealId, fromUserId: 'system', toTeam: 'support' },
          ORIGIN,
          { now },
        )
      }
    }, ORIGIN)
    await store.store(room, Y.encodeStateAsUpdate(doc))
    doc.destroy()
    if (i === 0) longNoteDoc = room
  }
  await store.close()

  return {
    searchTerms: WORDS,
    longNoteDoc,
    longNoteAccountId: accountIds[0] ?? 'acc_b0',
    longNoteAccountIds: Array.from(
      { length: Math.min(longNotes, size.notes) },
      (_, i) => accountIds[i] ?? `acc_b${i}`,
    ),
    docs: [
      { label: 'accounts', name: name('accounts') },
      { label: 'contacts', name: name('contacts') },
      { label: 'pipeline', name: pipelineDoc },
      { label: 'support', name: name('support') },
      { label: 'account room (long note)', name: longNoteDoc },
      { label: 'workspace', name: docName({ workspaceId, kind: 'workspace' }) },
    ],
  }
}
