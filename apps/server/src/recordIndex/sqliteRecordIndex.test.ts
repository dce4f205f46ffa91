import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recordIndexContract } from './recordIndex.contract.ts'
import { openSqliteRecordIndex } from './sqliteRecordIndex.ts'

recordIndexContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-index-'))
  const file = join(dir, 'index.sqlite')
  return {
    open: () => openSqliteRecordIndex(file),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  }
})
