import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type LogFields, silentLogger } from '../log/logger.ts'
import {
  CURRENT_FORMAT,
  FormatError,
  LOWDB_FORMAT,
  type Migration,
  migrateDataDir,
  readFormat,
} from './format.ts'
import { lowdbStore } from './lowdbStore.ts'
import { lowdbToSqlite } from './migrations/lowdbToSqlite.ts'
import { LARGE_STATE_BYTES, SQLITE_DOCUMENTS_FILE, sqliteStore } from './sqliteStore.ts'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})
const fresh = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-format-'))
  dirs.push(dir)
  return dir
}

const textState = (text: string): Uint8Array => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}
const textOf = (state: Uint8Array | null): string => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getText('t').toString()
}

/** The 1 → 2 step alone, whatever steps come after it. */
const ONE_TO_TWO = { target: 2, migrations: [lowdbToSqlite] }

/** A recording logger: the messages it was given. */
const recording = () => {
  const lines: string[] = []
  const logger = {
    ...silentLogger(),
    child: () => logger,
    info: (msg: string, _fields?: LogFields) => void lines.push(msg),
    warn: (msg: string, _fields?: LogFields) => void lines.push(msg),
  }
  return { logger, lines }
}

/**
 * A format-1 directory: a small document, one above the sidecar size, one with updates only in its log (never
 * stored: the server crashed inside the debounce), and meta.json.
 */
const formatOne = async (): Promise<{ dataDir: string; texts: Record<string, string> }> => {
  const dataDir = await fresh()
  const store = lowdbStore({ dir: join(dataDir, 'docs'), fsync: true })
  await store.store('ws/account/acc_1', textState('room'))
  const big = 'x'.repeat(100 * 1024)
  await store.store('ws/contacts', textState(big))
  const logged = new Y.Doc()
  logged.on('update', (update: Uint8Array) => void store.appendUpdate('ws/account/acc_2', update))
  logged.getText('t').insert(0, 'logged ')
  logged.getText('t').insert(7, 'only')
  await store.store('ws/account/acc_1', textState('room'))
  await store.close()
  await writeFile(join(dataDir, 'meta.json'), '{"users":[]}')
  return {
    dataDir,
    texts: { 'ws/account/acc_1': 'room', 'ws/account/acc_2': 'logged only', 'ws/contacts': big },
  }
}

const expectMigrated = async (dataDir: string, texts: Record<string, string>): Promise<void> => {
  expect(await readFormat(dataDir)).toBe(2)
  const store = sqliteStore({ file: join(dataDir, SQLITE_DOCUMENTS_FILE) })
  expect(await store.list()).toEqual(Object.keys(texts).sort())
  for (const [name, text] of Object.entries(texts)) expect(textOf(await store.load(name)), name).toBe(text)
  expect(await store.loggedNames()).toEqual([])
  await store.close()
}

describe('data format', () => {
  it('a new directory gets the current version and no backup', async () => {
    const dataDir = join(await fresh(), 'data')
    const result = await migrateDataDir(dataDir, { logger: silentLogger() })
    expect(result).toEqual({ from: 1, to: CURRENT_FORMAT, backup: null })
    expect(JSON.parse(await readFile(join(dataDir, 'format.json'), 'utf8'))).toEqual({
      version: CURRENT_FORMAT,
    })
    expect(await readdir(dataDir)).toEqual(['format.json'])
    // With STORE=lowdb a new directory stays format 1 (no file).
    const lowdbDir = await fresh()
    await migrateDataDir(lowdbDir, { logger: silentLogger(), target: LOWDB_FORMAT })
    expect(await readdir(lowdbDir)).toEqual([])
  })

  it('1 → 2 moves every document with its pending log into documents.sqlite, after a backup of the old files', async () => {
    const { dataDir, texts } = await formatOne()
    const { logger, lines } = recording()
    const result = await migrateDataDir(dataDir, {
      ...ONE_TO_TWO,
      logger,
      now: () => new Date('2026-12-04T21:00:00.000Z'),
    })
    expect(result).toEqual({ from: 1, to: 2, backup: 'backup-v1-2026-12-04T21-00-00.000Z' })
    await expectMigrated(dataDir, texts)
    expect((await readdir(dataDir)).sort()).toEqual([
      'backup-v1-2026-12-04T21-00-00.000Z',
      'documents.sqlite',
      'format.json',
      'meta.json',
    ])
    const backup = join(dataDir, 'backup-v1-2026-12-04T21-00-00.000Z')
    expect((await readdir(backup)).sort()).toEqual(['docs', 'meta.json'])
    expect((await readdir(join(backup, 'docs', 'log'))).length).toBeGreaterThan(0)
    // The backup is a format-1 directory that still reads as before.
    const old = lowdbStore({ dir: join(backup, 'docs') })
    expect(textOf(await old.load('ws/account/acc_2'))).toBe('logged only')
    await old.close()
    expect(lines).toEqual([
      'backed up the data directory before migrating it',
      'migrating the data directory',
      'moved the documents into documents.sqlite',
      'migrated the data directory',
    ])
    // Nothing left to do on the next start.
    expect(await migrateDataDir(dataDir, { ...ONE_TO_TWO, logger })).toEqual({ from: 2, to: 2, backup: null })
    expect(lines).toHaveLength(4)
  })

  it('1 → 2 keeps a large state in a state file, as the store does, not inline in documents.sqlite', async () => {
    // Inline, a row of tens of MB makes every seek of the split steps near its key read it whole.
    const dataDir = await fresh()
    const store = lowdbStore({ dir: join(dataDir, 'docs'), fsync: true })
    const big = 'y'.repeat(LARGE_STATE_BYTES + 1024)
    await store.store('ws/contacts', textState(big))
    await store.store('ws/account/acc_1', textState('room'))
    await store.close()
    // A leftover of an interrupted run beside the final name is replaced.
    await mkdir(join(dataDir, `${SQLITE_DOCUMENTS_FILE}.states`))
    await writeFile(join(dataDir, `${SQLITE_DOCUMENTS_FILE}.states`, 'stale.bin'), 'stale')
    await migrateDataDir(dataDir, { ...ONE_TO_TWO, logger: silentLogger() })
    await expectMigrated(dataDir, { 'ws/contacts': big, 'ws/account/acc_1': 'room' })
    const db = new Database(join(dataDir, SQLITE_DOCUMENTS_FILE), { readonly: true })
    const rows = db.prepare('select name, length(state) as bytes, state_file from docs order by name').all()
    db.close()
    expect(rows).toEqual([
      { name: 'ws/account/acc_1', bytes: expect.any(Number), state_file: null },
      { name: 'ws/contacts', bytes: 0, state_file: expect.stringMatching(/\.bin$/) },
    ])
    const files = await readdir(join(dataDir, `${SQLITE_DOCUMENTS_FILE}.states`))
    expect(files).toEqual([(rows[1] as { state_file: string }).state_file])
    expect((await readdir(dataDir)).filter((name) => name.includes('.migrating'))).toEqual([])
  })

  it('a crash in the middle of a step reruns it with the same backup', async () => {
    const { dataDir, texts } = await formatOne()
    let crashes = 1
    const crashing: Migration = {
      ...lowdbToSqlite,
      async run(dir, logger) {
        if (crashes > 0) {
          crashes -= 1
          // Half a new database, as a crash would leave it.
          await writeFile(join(dir, `${SQLITE_DOCUMENTS_FILE}.migrating`), 'half')
          throw new Error('crash')
        }
        await lowdbToSqlite.run(dir, logger)
      },
    }
    await expect(migrateDataDir(dataDir, { logger: silentLogger(), migrations: [crashing] })).rejects.toThrow(
      'crash',
    )
    expect(await readFormat(dataDir)).toBe(1)
    const { logger, lines } = recording()
    await migrateDataDir(dataDir, { logger, target: 2, migrations: [crashing] })
    expect(lines[0]).toBe('resuming a migration that was interrupted')
    await expectMigrated(dataDir, texts)
    expect((await readdir(dataDir)).filter((name) => name.includes('backup'))).toHaveLength(1)
    expect(await readdir(dataDir)).not.toContain('migrating.json')
  })

  it('the 1 → 2 step is safe to rerun after each of its own steps', async () => {
    // Crash after documents.sqlite was switched in, before docs/ moved away: rebuilt from docs/, same result.
    const first = await formatOne()
    await cp(join(first.dataDir, 'docs'), join(first.dataDir, 'docs-copy'), { recursive: true })
    await lowdbToSqlite.run(first.dataDir, silentLogger())
    await rename(join(first.dataDir, 'docs-copy'), join(first.dataDir, 'docs'))
    await migrateDataDir(first.dataDir, { ...ONE_TO_TWO, logger: silentLogger() })
    await expectMigrated(first.dataDir, first.texts)
    // Crash after docs/ was renamed, before it was deleted: the leftover goes, the documents stay.
    const second = await formatOne()
    await cp(join(second.dataDir, 'docs'), join(second.dataDir, 'docs-copy'), { recursive: true })
    await lowdbToSqlite.run(second.dataDir, silentLogger())
    await rename(join(second.dataDir, 'docs-copy'), join(second.dataDir, '.docs.migrated'))
    await migrateDataDir(second.dataDir, { ...ONE_TO_TWO, logger: silentLogger() })
    expect(await readdir(second.dataDir)).not.toContain('.docs.migrated')
    await expectMigrated(second.dataDir, second.texts)
  })

  it('refuses a newer version, a migrated directory under STORE=lowdb and a damaged format.json', async () => {
    const dataDir = await fresh()
    await writeFile(join(dataDir, 'format.json'), '{"version":99}')
    await expect(migrateDataDir(dataDir, { logger: silentLogger() })).rejects.toThrow(FormatError)
    await expect(migrateDataDir(dataDir, { logger: silentLogger() })).rejects.toThrow(
      /format version 99, written by a newer Rapport/,
    )
    await writeFile(join(dataDir, 'format.json'), '{"version":2}')
    await expect(migrateDataDir(dataDir, { logger: silentLogger(), target: LOWDB_FORMAT })).rejects.toThrow(
      /STORE=lowdb cannot read/,
    )
    for (const damaged of ['', '{', '{"version":"2"}', '{"version":0}', '[]']) {
      await writeFile(join(dataDir, 'format.json'), damaged)
      await expect(readFormat(dataDir)).rejects.toThrow(/format\.json is damaged/)
    }
  })
})
