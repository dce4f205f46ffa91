/**
 * Issue #12 prototype: storing many small documents. The lowdb store (one JSON file per document, an update-log
 * file per document) vs the SQLite store (`sqliteStore`: states + update log in one file), both through the
 * DocumentStore interface, and raw better-sqlite3 commits for reference. Record-sized states (one contact each).
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/docStore.ts [documents=2000]
 */
import { type DocumentStore, lowdbStore, sqliteStore } from '@rapport/server'
import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { summarize } from '../lib/stats.ts'
import { tempDir } from '../lib/tempDir.ts'
import { type ContactRow, generateDataset } from './fixtures.ts'
import { ms, printTable, timed, timedAsync } from './report.ts'

function state(c: ContactRow): Uint8Array {
  const doc = new Y.Doc()
  const map = doc.getMap<unknown>('record')
  doc.transact(() => {
    for (const [k, v] of Object.entries(c)) map.set(k, v)
  })
  return Y.encodeStateAsUpdate(doc)
}

function edit(i: number): Uint8Array {
  const doc = new Y.Doc()
  doc.getMap('record').set('lastName', `Edited ${i}`)
  return Y.encodeStateAsUpdate(doc)
}

type Row = Array<string | number>

/**
 * A DocumentStore through its interface, as the server uses it: stores one by one, 300 appends awaited one by one
 * (durable when `fsync`), and 200 appends issued at once (group commit). "On the event loop" is the synchronous
 * part of `appendUpdate` (until it returns its promise): what every other connection waits for.
 */
async function viaStore(
  label: string,
  open: (dir: string) => DocumentStore,
  names: string[],
  states: Uint8Array[],
): Promise<Row> {
  const dir = tempDir('rapport-docstore-')
  try {
    const store = open(dir.path)
    const write = await timedAsync(async () => {
      for (let i = 0; i < names.length; i++) await store.store(names[i] as string, states[i] as Uint8Array)
    })
    const appends: number[] = []
    const onLoop: number[] = []
    for (let i = 0; i < 300; i++) {
      const update = edit(i)
      const start = performance.now()
      const done = store.appendUpdate(names[i % names.length] as string, update)
      onLoop.push(performance.now() - start)
      await done
      appends.push(performance.now() - start)
    }
    const burst = await timedAsync(() =>
      Promise.all(
        Array.from({ length: 200 }, (_, i) => store.appendUpdate(names[i % names.length] as string, edit(i))),
      ),
    )
    const read = await timedAsync(async () => {
      for (const name of names) await store.load(name)
    })
    await store.close()
    const a = summarize(appends)
    return [
      label,
      ms(write.ms / names.length),
      ms(read.ms / names.length),
      `${ms(a.p50)} / ${ms(a.p99)}`,
      ms(summarize(onLoop).p99),
      ms(burst.ms),
    ]
  } finally {
    dir.remove()
  }
}

function sqlite(names: string[], states: Uint8Array[], synchronous: 'NORMAL' | 'FULL'): Row {
  const dir = tempDir('rapport-docstore-')
  try {
    const db = new Database(`${dir.path}/docs.sqlite`)
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${synchronous}`)
    db.exec(`create table docs (name text primary key, state blob not null);
      create table log (seq integer primary key, name text not null, update_ blob not null);
      create index log_name on log (name, seq)`)
    const put = db.prepare(
      'insert into docs (name, state) values (?, ?) on conflict (name) do update set state = excluded.state',
    )
    const get = db.prepare('select state from docs where name = ?')
    const logOf = db.prepare('select update_ from log where name = ? order by seq')
    const append = db.prepare('insert into log (name, update_) values (?, ?)')
    // A store is one transaction per document, as the persistence extension stores one document at a time.
    const write = timed(() => {
      for (let i = 0; i < names.length; i++) put.run(names[i], states[i])
    })
    const appends: number[] = []
    for (let i = 0; i < 300; i++) {
      const update = edit(i)
      appends.push(timed(() => append.run(names[i % names.length], update)).ms)
    }
    // One commit per append, synchronously: all of it is on the event loop.
    const burst = timed(() => {
      for (let i = 0; i < 200; i++) append.run(names[i % names.length], edit(i))
    })
    const read = timed(() => {
      for (const name of names) {
        get.get(name)
        logOf.all(name)
      }
    })
    db.close()
    const a = summarize(appends)
    return [
      `raw SQLite, one commit per append, WAL, synchronous=${synchronous}`,
      ms(write.ms / names.length),
      ms(read.ms / names.length),
      `${ms(a.p50)} / ${ms(a.p99)}`,
      ms(a.p99),
      ms(burst.ms),
    ]
  } finally {
    dir.remove()
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 2000)
  const contacts = generateDataset({ accounts: 10, contacts: count, openDeals: 0, closedDeals: 0 }).contacts
  const names = contacts.map((c) => `W/contact/${c.id}`)
  const states = contacts.map(state)
  const lowdb = (fsync: boolean) => (dir: string) => lowdbStore({ dir, fsync })
  const sqliteDocs = (fsync: boolean) => (dir: string) =>
    sqliteStore({ file: `${dir}/documents.sqlite`, fsync })
  const rows: Row[] = [
    await viaStore('lowdbStore, one file per document', lowdb(false), names, states),
    await viaStore('lowdbStore, fsync', lowdb(true), names, states),
    await viaStore('sqliteStore (the server default), no fsync', sqliteDocs(false), names, states),
    await viaStore(
      'sqliteStore, fsync: NORMAL + group fdatasync of the WAL',
      sqliteDocs(true),
      names,
      states,
    ),
    sqlite(names, states, 'NORMAL'),
    sqlite(names, states, 'FULL'),
  ]
  printTable(
    `Document stores, ${count} one-contact documents (~0.3 KB each)`,
    [
      'store',
      'store ms per document',
      'load ms per document',
      'append one update p50 / p99 ms (durable when fsync/FULL)',
      'append: on the event loop p99 ms',
      '200 appends at once: all resolved ms',
    ],
    rows,
  )
}

await main()
