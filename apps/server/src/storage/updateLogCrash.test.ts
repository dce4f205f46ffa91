import { appendFile, cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Prng } from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { compactLogs } from './compactLogs.ts'
import type { DocumentStore } from './DocumentStore.ts'
import { lowdbStore } from './lowdbStore.ts'
import { encodeLogRecord } from './updateLogRecords.ts'

const SEED = 20250101
const RUNS = process.env.RAPPORT_LONG === '1' ? 1_000 : 25
const NAME = 'ws/account/acc_1'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

const textOf = (state: Uint8Array | null): string => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getText('t').toString()
}

/** The newest segment file of the log directory (highest generation), if any. */
const newestSegment = async (logDir: string): Promise<string | null> => {
  const files = await readdir(logDir).catch(() => [] as string[])
  const generation = (file: string) => Number(/\.(\d+)\.ylog$/.exec(file)?.[1] ?? -1)
  const newest = files.sort((a, b) => generation(a) - generation(b)).at(-1)
  return newest ? join(logDir, newest) : null
}

/**
 * One seeded run: a writer edits, every update is appended and awaited (= acknowledged), stores come at random;
 * the server "crashes" at random points — sometimes between a store and its log truncation, sometimes with a torn,
 * never acknowledged record at the end of the log — and restarts (sometimes compacting at start-up). After every
 * restart the document must hold exactly what was acknowledged.
 */
const run = async (seed: number): Promise<void> => {
  const prng = new Prng(seed)
  const dir = join(await mkdtemp(join(tmpdir(), 'rapport-crash-')), 'docs')
  dirs.push(join(dir, '..'))
  const logDir = join(dir, 'log')
  let store: DocumentStore = lowdbStore({ dir })
  const writer = new Y.Doc()
  const text = writer.getText('t')
  const appends: Promise<void>[] = []
  writer.on('update', (update: Uint8Array) => appends.push(store.appendUpdate(NAME, update)))

  const edit = async (): Promise<void> => {
    writer.transact(() => {
      if (text.length > 0 && prng.bool(0.3)) {
        const at = prng.int(text.length)
        text.delete(at, 1 + prng.int(Math.min(5, text.length - at)))
      } else {
        text.insert(prng.int(text.length + 1), 'abcdefgh'.slice(0, 1 + prng.int(8)))
      }
    })
    await Promise.all(appends.splice(0))
  }

  const restart = async (): Promise<void> => {
    await store.close()
    store = lowdbStore({ dir })
    if (prng.bool()) await compactLogs(store, silentLogger())
    expect(textOf(await store.load(NAME)), `seed ${seed}: after a restart`).toBe(text.toString())
  }

  const steps = 10 + prng.int(40)
  for (let step = 0; step < steps; step += 1) {
    const roll = prng.next()
    if (roll < 0.55) {
      await edit()
    } else if (roll < 0.65) {
      await store.store(NAME, Y.encodeStateAsUpdate(writer))
    } else if (roll < 0.75) {
      // Edits acknowledged while a store runs are not in its state: the store must keep them in the log.
      const storing = store.store(NAME, Y.encodeStateAsUpdate(writer))
      for (let count = 1 + prng.int(3); count > 0; count -= 1) await edit()
      await storing
    } else if (roll < 0.85) {
      // Crash after the state was written, before the log truncation: the old segments are still there.
      const saved = `${logDir}-saved-${step}`
      await cp(logDir, saved, { recursive: true }).catch(() => {})
      await store.store(NAME, Y.encodeStateAsUpdate(writer))
      await cp(saved, logDir, { recursive: true }).catch(() => {})
      await restart()
    } else if (roll < 0.93) {
      // Crash in the middle of an append nobody was told about: a torn record at the end of the newest segment.
      const segment = await newestSegment(logDir)
      if (segment) {
        const stray = new Y.Doc()
        stray.getText('t').insert(0, 'never acknowledged')
        const record = encodeLogRecord(Y.encodeStateAsUpdate(stray))
        await appendFile(segment, record.subarray(0, 1 + prng.int(record.byteLength - 1)))
      }
      await restart()
    } else {
      await restart()
    }
  }
  await restart()
  await store.close()
}

describe('update log: seeded crash points', () => {
  it(
    `every acknowledged update survives every crash point (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      for (let index = 0; index < RUNS; index += 1) await run(SEED + index)
    },
    RUNS * 2_000,
  )
})
