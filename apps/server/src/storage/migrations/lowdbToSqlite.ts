import { readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../../log/logger.ts'
import { exists, syncPath } from '../durableFiles.ts'
import { lowdbStore } from '../lowdbStore.ts'
import { mergeLogged } from '../mergeLogged.ts'
import { SQLITE_DOCUMENTS_FILE, sqliteStore } from '../sqliteStore.ts'
import type { Migration } from './Migration.ts'

const removeDatabase = async (file: string): Promise<void> => {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${file}${suffix}`, { force: true })
  await rm(`${file}.states`, { recursive: true, force: true })
}

/**
 * Format 1 → 2: every document of the lowdb store (`docs/*.json` + `.bin` sidecars, with its pending update log in
 * `docs/log/` merged in) moves into `documents.sqlite`. The lowdb files stay in the backup. Rerun-safe at every
 * point:
 * 1. build `documents.sqlite.migrating` from `docs/` (a leftover one is deleted first), close it (SQLite folds its
 *    WAL into the file), fsync, rename its state files' folder (large states, as the store keeps them) and then it
 *    to `documents.sqlite(.states)`, fsync the directory;
 * 2. rename `docs/` to `.docs.migrated` (atomic; a rerun that finds it knows step 1 was complete), then delete it.
 * Without `docs/` there is nothing to move. meta.json, history/ and reminders.json are unchanged by this step.
 */
export const lowdbToSqlite: Migration = {
  from: 1,
  describe: 'documents from docs/ (one lowdb file each) into documents.sqlite',
  async run(dataDir: string, logger: Logger): Promise<void> {
    const docsDir = join(dataDir, 'docs')
    const moved = join(dataDir, '.docs.migrated')
    const target = join(dataDir, SQLITE_DOCUMENTS_FILE)
    if (await exists(docsDir)) {
      const temp = `${target}.migrating`
      await removeDatabase(temp)
      const source = lowdbStore({ dir: docsDir, fsync: false })
      // Large states (the collection documents: tens of MB at issue #12's size) go to state files, as the store keeps
      // them: inline, every seek of the split steps that compares its key with such a row reads the whole row
      // (SQLite reads an overflowing key of a WITHOUT ROWID table in full), ~100x slower per record document.
      // The files' folder sits beside the temporary name and is renamed with it.
      const sink = sqliteStore({ file: temp, fsync: false })
      let documents = 0
      let updates = 0
      let damagedBytes = 0
      try {
        const names = await source.list()
        for (const name of names) {
          const { state, log, damagedLogBytes } = await source.loadWithLog(name)
          damagedBytes += damagedLogBytes
          updates += log.length
          const merged = mergeLogged(state, log)
          // A log holding only a torn record and no state: nothing of it was ever acknowledged.
          if (!merged) continue
          await sink.store(name, merged)
          documents += 1
          if (documents % 10_000 === 0) logger.info('moving documents', { done: documents, of: names.length })
        }
        const stored = (await sink.list()).length
        if (stored !== documents) throw new Error(`moved ${documents} documents but ${stored} are stored`)
      } finally {
        await Promise.all([source.close(), sink.close()])
      }
      if (await exists(`${temp}-wal`)) throw new Error(`${temp}-wal was left after closing the new database`)
      await syncPath(temp)
      await rm(`${temp}-shm`, { force: true })
      await rm(`${target}-wal`, { force: true })
      await rm(`${target}-shm`, { force: true })
      if (await exists(`${temp}.states`)) {
        for (const stateFile of await readdir(`${temp}.states`))
          await syncPath(join(`${temp}.states`, stateFile))
        await syncPath(`${temp}.states`)
        // A format-1 data dir has no documents.sqlite of its own: a leftover folder is an interrupted run's.
        await rm(`${target}.states`, { recursive: true, force: true })
        await rename(`${temp}.states`, `${target}.states`)
      }
      await rename(temp, target)
      await syncPath(dataDir)
      logger.info('moved the documents into documents.sqlite', {
        documents,
        loggedUpdates: updates,
        ...(damagedBytes > 0 ? { damagedLogBytes: damagedBytes } : {}),
      })
      await rename(docsDir, moved)
      await syncPath(dataDir)
    }
    if (await exists(moved)) await rm(moved, { recursive: true, force: true })
  },
}
