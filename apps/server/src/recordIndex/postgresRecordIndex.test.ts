import { randomBytes } from 'node:crypto'
import { dropPostgresIndexSchema, openPostgresRecordIndex } from './postgresRecordIndex.ts'
import { recordIndexContract } from './recordIndex.contract.ts'

/*
 * The contract on a real PostgreSQL (`RAPPORT_PG_URL`, default postgres://postgres@127.0.0.1:5432/test; `.ci/run`
 * starts the local cluster). Every store is a schema of its own, dropped after: files and runs do not share one.
 * PostgreSQL not reachable = these tests fail with that sentence, they are not skipped.
 */
recordIndexContract('PostgreSQL', async () => {
  const schema = `ri_test_${process.pid}_${randomBytes(4).toString('hex')}`
  return {
    open: () => openPostgresRecordIndex({ schema }),
    dispose: () => dropPostgresIndexSchema(schema),
  }
})
