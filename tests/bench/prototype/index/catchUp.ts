/**
 * Issue #12 prototype (c): a restart's catch-up. The SQLite index is on disk with `doc_state` (the state vector it
 * reflects) for every contact document; K contact documents changed after their last index write (their update
 * logs survived). Restart = open the index, re-index exactly those K documents, serve the first page.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/index/catchUp.ts
 */
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import * as Y from 'yjs'
import { z } from 'zod'
import { tempDir } from '../../lib/tempDir.ts'
import { type ContactRow, generateDataset, LEAD_STATUSES } from '../fixtures.ts'
import { ms, printTable, timedAsync } from '../report.ts'
import { loadDataset } from './load.ts'
import { createSchema, type IndexTables, putSearchText } from './schema.ts'

const RECORD_MAP = 'record'
/** What the index accepts from a contact document (validated at the boundary; the model's schema in production). */
const ContactFields = z.object({
  id: z.string(),
  accountId: z.string().nullable(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  score: z.number().int(),
  leadStatus: z.enum(LEAD_STATUSES),
  ownerId: z.string(),
  updatedAt: z.number(),
})

function contactDoc(c: ContactRow): Y.Doc {
  const doc = new Y.Doc()
  const map = doc.getMap<unknown>(RECORD_MAP)
  doc.transact(() => {
    for (const [k, v] of Object.entries(c)) map.set(k, v)
  })
  return doc
}

function open(file: string): Kysely<IndexTables> {
  const database = new Database(file)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  return new Kysely<IndexTables>({ dialect: new SqliteDialect({ database }) })
}

async function main(): Promise<void> {
  const data = generateDataset()
  const dir = tempDir('rapport-catchup-')
  const file = `${dir.path}/index.sqlite`
  try {
    const db = open(file)
    await createSchema(db, 'sqlite')
    await loadDataset(db, 'sqlite', data)
    // Every contact document's state vector as the index last saw it.
    const states = new Map<string, Uint8Array>()
    for (const c of data.contacts) states.set(c.id, Y.encodeStateAsUpdate(contactDoc(c)))
    await db.transaction().execute(async (tx) => {
      const rows = data.contacts.map((c) => ({
        doc: `W/contact/${c.id}`,
        state_vector: Y.encodeStateVectorFromUpdate(states.get(c.id) as Uint8Array),
        log_seq: 0,
        indexed_at: 0,
      }))
      for (let i = 0; i < rows.length; i += 500)
        await tx
          .insertInto('doc_state')
          .values(rows.slice(i, i + 500))
          .execute()
    })
    await db.destroy()

    const rows: Array<Array<string | number>> = []
    for (const changed of [100, 1_000, 10_000]) {
      // The logs that survived: one field edit per changed document, on top of its indexed state.
      const logs = new Map<string, Uint8Array[]>()
      for (const c of data.contacts.slice(0, changed)) {
        const doc = new Y.Doc()
        Y.applyUpdate(doc, states.get(c.id) as Uint8Array)
        const before = Y.encodeStateVector(doc)
        doc.getMap(RECORD_MAP).set('lastName', `${c.lastName}-${changed}`)
        logs.set(`W/contact/${c.id}`, [states.get(c.id) as Uint8Array, Y.encodeStateAsUpdate(doc, before)])
      }
      const restart = await timedAsync(async () => {
        const index = open(file)
        let reindexed = 0
        const names = [...logs.keys()]
        for (let i = 0; i < names.length; i += 200) {
          await index.transaction().execute(async (tx) => {
            for (const name of names.slice(i, i + 200)) {
              const doc = new Y.Doc()
              for (const update of logs.get(name) ?? []) Y.applyUpdate(doc, update)
              const sv = Y.encodeStateVector(doc)
              const known = await tx
                .selectFrom('doc_state')
                .select('state_vector')
                .where('doc', '=', name)
                .executeTakeFirst()
              if (known !== undefined && Buffer.from(known.state_vector).equals(Buffer.from(sv))) continue
              const c = ContactFields.parse(doc.getMap(RECORD_MAP).toJSON())
              const row = {
                id: c.id,
                account_id: c.accountId,
                first_name: c.firstName,
                last_name: c.lastName,
                email: c.email,
                score: c.score,
                lead_status: c.leadStatus,
                owner_id: c.ownerId,
                updated_at: c.updatedAt,
                data: '{}',
              }
              await tx
                .insertInto('contacts')
                .values(row)
                .onConflict((oc) => oc.column('id').doUpdateSet(row))
                .execute()
              await putSearchText(tx, 'sqlite', {
                kind: 'contact',
                id: c.id,
                text: `${c.firstName} ${c.lastName} ${c.email}`,
              })
              await tx
                .updateTable('doc_state')
                .set({ state_vector: sv, indexed_at: Date.now() })
                .where('doc', '=', name)
                .execute()
              reindexed++
            }
          })
        }
        await sql`select * from contacts order by last_name, first_name, id limit 50`.execute(index)
        await index.destroy()
        return reindexed
      })
      rows.push([changed, restart.value, ms(restart.ms), ms(restart.ms / changed)])
    }
    printTable(
      'Restart with a persisted index: open, re-index the documents changed since their last index write, first page',
      ['changed documents', 're-indexed', 'open + catch-up + first page ms', 'ms per document'],
      rows,
    )
  } finally {
    dir.remove()
  }
}

await main()
