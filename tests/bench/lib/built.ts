import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './servers.ts'

/** One part of issue #12 and whether this tree has it (the bench reports "not built yet" for what is missing). */
export type BuiltPart = { part: string; built: boolean; where: string }

const has = (path: string) => existsSync(join(REPO_ROOT, path))
const mentions = (path: string, text: string) =>
  has(path) && readFileSync(join(REPO_ROOT, path), 'utf8').includes(text)

/** Which parts of issue #12 exist in the tree the bench runs from (files, and the wiring into createServer). */
export function builtParts(): BuiltPart[] {
  const parts: Array<[string, string, boolean?]> = [
    ['per-record documents (model)', 'packages/model/src/records/recordDocs.ts'],
    ['record index, SQLite', 'apps/server/src/recordIndex/sqliteRecordIndex.ts'],
    ['record index, PostgreSQL', 'apps/server/src/recordIndex/postgresRecordIndex.ts'],
    [
      'record index serves the REST reads',
      'apps/server/src/recordIndex/IndexWorker.ts',
      mentions('apps/server/src/createServer.ts', 'IndexWorker'),
    ],
    ['change feed', 'apps/server/src/feed/FeedHub.ts'],
    ['SQLite document store', 'apps/server/src/storage/sqliteStore.ts'],
    ['data format version + migration', 'apps/server/src/storage/format.ts'],
    ['board mirror (derived W/board/P)', 'apps/server/src/board/BoardMirror.ts'],
  ]
  return parts.map(([part, where, wired]) => ({ part, where, built: has(where) && wired !== false }))
}

/** Whether `part` (a prefix of its name) is built, per the run's results; false when unknown. */
export function isBuilt(parts: readonly BuiltPart[] | undefined, part: string): boolean {
  return parts?.some((p) => p.part.startsWith(part) && p.built) ?? false
}
