import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { compactLogs } from './compactLogs.ts'
import { appendUpdates, storeStates } from './DocumentStore.ts'
import { documentStoreContract } from './documentStore.contract.ts'
import { sqliteStore } from './sqliteStore.ts'

const SERVER_DIR = join(dirname(fileURLToPath(import.meta.url)), '../..')

const dirs: string[] = []
const fresh = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-sqlite-'))
  dirs.push(dir)
  return dir
}
const cleanup = async (): Promise<void> => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
}

for (const fsync of [false, true]) {
  // Default: states inside the database; `largeStateBytes: 1`: every state in its own file (the large-state path).
  for (const largeStateBytes of [undefined, 1]) {
    let current = ''
    const label = `sqlite${fsync ? ' (fsync)' : ''}${largeStateBytes ? ', every state in a file' : ''}`
    documentStoreContract(label, {
      create: async () => {
        current = await fresh()
        return sqliteStore({ file: join(current, 'documents.sqlite'), fsync, largeStateBytes })
      },
      reopen: async () => sqliteStore({ file: join(current, 'documents.sqlite'), fsync, largeStateBytes }),
      cleanup,
    })
  }
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

/**
 * The child: appends one update per step to one document and prints `ack <step>` once `appendUpdate` resolved;
 * every 10th step it also starts a store of the whole state (not awaited), so stores and appends interleave.
 */
const CHILD = `
  import * as Y from 'yjs'
  import { sqliteStore } from './src/storage/sqliteStore.ts'
  const store = sqliteStore({ file: process.argv[1], fsync: true })
  const doc = new Y.Doc()
  const text = doc.getText('t')
  for (let step = 0; ; step += 1) {
    let update
    doc.once('update', (u) => { update = u })
    text.insert(text.length, step + ';')
    const appended = store.appendUpdate('ws/account/acc_1', update)
    if (step % 10 === 9) void store.store('ws/account/acc_1', Y.encodeStateAsUpdate(doc))
    await appended
    process.stdout.write('ack ' + step + '\\n')
  }
`

describe('sqliteStore durability', () => {
  it('every append acknowledged before a SIGKILL is there on reopen, with stores running in between', async () => {
    const dir = await fresh()
    const file = join(dir, 'documents.sqlite')
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, file], {
      cwd: SERVER_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let acked = -1
    let output = ''
    const killed = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    )
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stdout.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/ack (\d+)/g)) acked = Math.max(acked, Number(match[1]))
      // Killed mid-stream: appends and stores are in flight.
      if (acked >= 150) child.kill('SIGKILL')
    })
    expect(await killed, output).toBe('SIGKILL')
    expect(acked).toBeGreaterThanOrEqual(150)

    const store = sqliteStore({ file, fsync: true })
    const expected = Array.from({ length: acked + 1 }, (_, step) => `${step};`).join('')
    expect(textOf(await store.load('ws/account/acc_1')).startsWith(expected)).toBe(true)
    // Start-up compaction folds the log into the state; everything is still there after another reopen.
    await compactLogs(store, silentLogger())
    expect(await store.loggedNames()).toEqual([])
    await store.close()
    const again = sqliteStore({ file, fsync: true })
    expect(textOf(await again.load('ws/account/acc_1')).startsWith(expected)).toBe(true)
    await again.close()
    // A clean close folds the write-ahead log into the file.
    expect((await readdir(dir)).sort()).toEqual(['documents.sqlite'])
    await cleanup()
  }, 30_000)

  it('storeStates { durable: false } folds durably logged updates without asking for a group commit', async () => {
    const file = join(await fresh(), 'documents.sqlite')
    const store = sqliteStore({ file, fsync: true })
    const names = ['ws/contact/c1', 'ws/contact/c2']
    await appendUpdates(
      store,
      names.map((name) => ({ name, update: textState(name) })),
    )
    const rounds = store.syncRounds
    expect(rounds).toBeGreaterThan(0)
    await storeStates(
      store,
      names.map((name) => ({ name, state: textState(name) })),
      { durable: false },
    )
    expect(store.syncRounds).toBe(rounds)
    expect(await store.loggedNames()).toEqual([])
    // The default still waits for the disk.
    await storeStates(store, [{ name: 'ws/contact/c3', state: textState('c3') }])
    expect(store.syncRounds).toBe(rounds + 1)
    await store.close()
    const again = sqliteStore({ file })
    for (const name of names) expect(textOf(await again.load(name))).toBe(name)
    await again.close()
    await cleanup()
  })

  it('checkpoints in its worker thread, and a reopen sees everything', async () => {
    const file = join(await fresh(), 'documents.sqlite')
    // States inside the database, so that the WAL grows.
    const store = sqliteStore({ file, fsync: true, largeStateBytes: Number.POSITIVE_INFINITY })
    const big = (index: number) => textState(`${index}`.padEnd(512 * 1024, 'x'))
    for (let index = 0; index < 20; index += 1) await store.store(`ws/account/a${index % 5}`, big(index))
    await vi.waitFor(() => expect(store.checkpoints).toBeGreaterThan(0))
    await store.close()
    const again = sqliteStore({ file })
    for (let index = 15; index < 20; index += 1) {
      expect(textOf(await again.load(`ws/account/a${index % 5}`)).startsWith(`${index}x`)).toBe(true)
    }
    await again.close()
    await cleanup()
  })

  it('large states live in files: replaced and deleted with their row, orphans removed at open', async () => {
    const dir = await fresh()
    const file = join(dir, 'documents.sqlite')
    const statesDir = `${file}.states`
    const store = sqliteStore({ file, fsync: true, largeStateBytes: 1024 })
    const large = (text: string) => textState(text.padEnd(4096, '.'))
    await store.store('ws/contacts', large('one'))
    const [first] = await readdir(statesDir)
    await store.store('ws/contacts', large('two'))
    expect(await readdir(statesDir)).not.toContain(first)
    expect(await readdir(statesDir)).toHaveLength(1)
    // A small state goes back into the database and the file goes.
    await store.store('ws/contacts', textState('small'))
    expect(await readdir(statesDir)).toEqual([])
    expect(textOf(await store.load('ws/contacts'))).toBe('small')
    await store.store('ws/contacts', large('three'))
    await store.delete('ws/contacts')
    expect(await readdir(statesDir)).toEqual([])
    expect(await store.load('ws/contacts')).toBeNull()

    // Updates appended while a large state is being written stay in the log; small stores queue behind it.
    const writer = new Y.Doc()
    writer.getText('t').insert(0, 'x'.repeat(4096))
    const updates: Uint8Array[] = []
    writer.on('update', (update: Uint8Array) => updates.push(update))
    const storing = store.store('ws/room', Y.encodeStateAsUpdate(writer))
    writer.getText('t').insert(0, 'later ')
    const appended = store.appendUpdate('ws/room', updates[0] as Uint8Array)
    await Promise.all([storing, appended])
    expect((await store.loadWithLog('ws/room')).log).toHaveLength(1)
    expect(textOf(await store.load('ws/room')).startsWith('later x')).toBe(true)
    await store.close()

    // A file no row names (its commit was lost in a crash) is removed when the store opens, once a minute old.
    await writeFile(join(statesDir, 'lost.bin'), 'orphan')
    await writeFile(join(statesDir, 'just-written.bin'), 'a live store of another connection')
    const longAgo = new Date(Date.now() - 120_000)
    await utimes(join(statesDir, 'lost.bin'), longAgo, longAgo)
    const again = sqliteStore({ file, largeStateBytes: 1024 })
    expect(await readdir(statesDir)).toHaveLength(2)
    expect(await readdir(statesDir)).toContain('just-written.bin')
    expect(textOf(await again.load('ws/room')).startsWith('later x')).toBe(true)
    await again.close()
    await cleanup()
  })

  it('rejects writes after close instead of losing them silently', async () => {
    const store = sqliteStore({ file: join(await fresh(), 'documents.sqlite') })
    await store.close()
    await expect(store.appendUpdate('d', new Uint8Array([0, 0]))).rejects.toThrow(/closed/)
    await expect(store.store('d', new Uint8Array([0, 0]))).rejects.toThrow(/closed/)
    await cleanup()
  })
})
