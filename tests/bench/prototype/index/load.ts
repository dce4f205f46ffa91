import type { Kysely } from 'kysely'
import type { Dataset } from '../fixtures.ts'
import type { Flavor, IndexTables } from './schema.ts'

const BATCH = 500
const REGIONS = ['emea', 'amer', 'apac']

async function inBatches<T>(rows: T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await write(rows.slice(i, i + BATCH))
}

/** Writes the dataset in one transaction, 500 rows per statement: records, then their search text. */
export async function loadDataset(db: Kysely<IndexTables>, flavor: Flavor, data: Dataset): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await inBatches(data.accounts, (batch) =>
      tx
        .insertInto('accounts')
        .values(
          batch.map((a) => ({
            id: a.id,
            name: a.name,
            domain: a.domain,
            industry: a.industry,
            tier: a.tier,
            city: a.city,
            owner_id: a.ownerId,
            updated_at: a.updatedAt,
            data: JSON.stringify({ cf: {} }),
          })),
        )
        .execute(),
    )
    await inBatches(data.contacts, (batch) =>
      tx
        .insertInto('contacts')
        .values(
          batch.map((c, i) => ({
            id: c.id,
            account_id: c.accountId,
            first_name: c.firstName,
            last_name: c.lastName,
            email: c.email,
            score: c.score,
            lead_status: c.leadStatus,
            owner_id: c.ownerId,
            updated_at: c.updatedAt,
            data: JSON.stringify({ region: REGIONS[(c.score + i) % REGIONS.length] }),
          })),
        )
        .execute(),
    )
    await inBatches(data.deals, (batch) =>
      tx
        .insertInto('deals')
        .values(
          batch.map((d) => ({
            id: d.id,
            pipeline_id: 'pip_main',
            account_id: d.accountId,
            title: d.title,
            amount: d.amount,
            currency: d.currency,
            stage_id: d.stageId,
            key: d.key,
            status: d.status,
            owner_id: d.ownerId,
            closed_at: d.closedAt,
            updated_at: d.updatedAt,
            data: JSON.stringify({}),
          })),
        )
        .execute(),
    )
    const search = [
      ...data.accounts.map((a) => ({ kind: 'account', id: a.id, text: `${a.name} ${a.domain} ${a.city}` })),
      ...data.contacts.map((c) => ({
        kind: 'contact',
        id: c.id,
        text: `${c.firstName} ${c.lastName} ${c.email}`,
      })),
      ...data.deals.map((d) => ({ kind: 'deal', id: d.id, text: d.title })),
    ]
    if (flavor === 'postgres') {
      await inBatches(search, (batch) => tx.insertInto('search').values(batch).execute())
      return
    }
    const keyed = search.map((row, i) => ({ ...row, rowid: i + 1 }))
    await inBatches(keyed, (batch) => tx.insertInto('search').values(batch).execute())
    await inBatches(keyed, (batch) =>
      tx
        .insertInto('search_key')
        .values(batch.map(({ rowid, kind, id }) => ({ rowid, kind, id })))
        .execute(),
    )
  })
}
