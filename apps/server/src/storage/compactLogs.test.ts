import { mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { compactLogs } from './compactLogs.ts'
import { lowdbStore } from './lowdbStore.ts'
import { memoryStore } from './memoryStore.ts'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

const typed = (words: string[], base: Uint8Array | null = null) => {
  const doc = new Y.Doc()
  if (base) Y.applyUpdate(doc, base)
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  for (const word of words) doc.getText('t').insert(doc.getText('t').length, word)
  return { doc, updates }
}
const textOf = (state: Uint8Array | null): string => {
  const doc = new Y.Doc()
  if (state) Y.applyUpdate(doc, state)
  return doc.getText('t').toString()
}

describe('compactLogs', () => {
  it('folds every logged update into the stored state and empties the logs', async () => {
    const store = memoryStore()
    const stored = typed(['stored '])
    await store.store('a', Y.encodeStateAsUpdate(stored.doc))
    const more = typed(['logged'], Y.encodeStateAsUpdate(stored.doc))
    // One update the state already holds (a crash between store and truncation), one only in the log.
    for (const update of [...stored.updates, ...more.updates]) await store.appendUpdate('a', update)
    for (const update of typed(['log only']).updates) await store.appendUpdate('b', update)

    expect(await compactLogs(store, silentLogger())).toBe(2)
    expect(await store.loggedNames()).toEqual([])
    expect(textOf((await store.loadWithLog('a')).state)).toBe('stored logged')
    expect(textOf((await store.loadWithLog('b')).state)).toBe('log only')
    expect(await compactLogs(store, silentLogger())).toBe(0)
  })

  it('on disk: a torn record is skipped, a log holding nothing intact is removed', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'rapport-compact-')), 'docs')
    dirs.push(join(dir, '..'))
    const store = lowdbStore({ dir })
    for (const update of typed(['kept ', 'torn']).updates) await store.appendUpdate('a', update)
    for (const update of typed(['never acknowledged']).updates) await store.appendUpdate('b', update)
    await store.close()
    for (const file of await readdir(join(dir, 'log'))) {
      const path = join(dir, 'log', file)
      await truncate(path, (await readFile(path)).byteLength - 3)
    }

    const reopened = lowdbStore({ dir })
    await compactLogs(reopened, silentLogger())
    expect(await reopened.list()).toEqual(['a'])
    expect(textOf(await reopened.load('a'))).toBe('kept ')
    expect(await readdir(join(dir, 'log'))).toEqual([])
    await reopened.close()
  })
})
