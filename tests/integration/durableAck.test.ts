import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { HocuspocusProvider } from '@hocuspocus/provider'
import { docName } from '@rapport/model'
import { type DocumentStore, memoryStore, SQLITE_DOCUMENTS_FILE, sqliteStore } from '@rapport/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { api, type SeededUser, signIn } from './helpers/clients.ts'
import { openDoc, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { newDataDir, type ServerProcess, startServer, startServerProcess } from './helpers/startServer.ts'
import { roomName, TEST_WORKSPACE, testAdmin } from './helpers/testWorkspace.ts'

const SECRET = 'durable-ack-session-secret-0123456789-abcdefghij'
// A debounce far longer than any test: nothing reaches the stored state before the kill.
const ENV = { SESSION_SECRET: SECRET, DEBOUNCE_MS: '60000' }
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A data dir with an admin of TEST_WORKSPACE, and main.ts running on it as a child process. */
const killable = async (): Promise<{
  proc: ServerProcess
  dataDir: string
  admin: SeededUser
  restart(): Promise<ServerProcess>
}> => {
  const dataDir = await newDataDir()
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  const seeder = await startServer({ dataDir, secrets: { session: SECRET } })
  const admin = await testAdmin(seeder.server, seeder.url)
  await seeder.stop({ keep: true })
  let proc = await startServerProcess(dataDir, ENV)
  cleanups.push(() => proc.kill('SIGKILL'))
  return {
    proc,
    dataDir,
    admin: admin.user,
    async restart() {
      expect(await proc.kill('SIGKILL')).toBeNull()
      proc = await startServerProcess(dataDir, ENV)
      return proc
    },
  }
}

/**
 * Acknowledged means on disk: once the provider's unsyncedChanges is 0 (or a REST write answered), a SIGKILL right
 * after must not lose the edit, although the debounced store has not run and no client will ever re-send it.
 */
describe('durable acknowledgement', () => {
  it('edits acknowledged to a client that then leaves survive a SIGKILL inside the debounce window', async () => {
    const rig = await killable()
    const { token } = await signIn(rig.proc.url, rig.admin)
    const name = roomName('acc_durable')
    const writer = openDoc({ wsUrl: rig.proc.wsUrl, name, token })
    cleanups.push(() => writer.destroy())
    await writer.synced
    const text = writer.doc.getText('scratch')
    const edits = writer.doc.getMap<number>('edits')
    for (let index = 0; index < 30; index += 1) {
      writer.doc.transact(() => {
        edits.set(`e${String(index).padStart(3, '0')}`, index)
        text.insert(text.length, `${index};`)
      })
    }
    await waitForAcked(writer)
    const expectedText = text.toString()
    const expectedKeys = [...edits.keys()].sort()
    // The writer is gone for good: nobody will re-send these edits.
    writer.destroy()

    const proc = await rig.restart()
    const { token: token2 } = await signIn(proc.url, rig.admin)
    const reader = await openSyncedDoc({ wsUrl: proc.wsUrl, name, token: token2 })
    cleanups.push(() => reader.destroy())
    expect(reader.doc.getText('scratch').toString()).toBe(expectedText)
    expect([...reader.doc.getMap('edits').keys()].sort()).toEqual(expectedKeys)
    // The restart folded the log into the stored state before serving anything.
    const store = sqliteStore({ file: join(rig.dataDir, SQLITE_DOCUMENTS_FILE) })
    expect(await store.loggedNames()).toEqual([])
    await store.close()
  })

  it('a REST write that answered 201 survives a SIGKILL right after', async () => {
    const rig = await killable()
    const { cookie } = await signIn(rig.proc.url, rig.admin)
    const created = await api<{ id: string }>(rig.proc.url, '/api/accounts', {
      cookie,
      body: { id: 'acc_rest_durable', name: 'Written by REST' },
    })
    expect(created.status).toBe(201)

    const proc = await rig.restart()
    const { token } = await signIn(proc.url, rig.admin)
    const accounts = await openSyncedDoc({
      wsUrl: proc.wsUrl,
      name: docName({ workspaceId: TEST_WORKSPACE, kind: 'account', accountId: 'acc_rest_durable' }),
      token,
    })
    cleanups.push(() => accounts.destroy())
    const account = accounts.doc.getMap<Y.Map<unknown>>('accounts').get('acc_rest_durable')
    expect(account?.get('name')).toBe('Written by REST')
  })

  it('the acknowledgement waits for the log append; the broadcast to other clients does not', async () => {
    const inner = memoryStore()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const held: string[] = []
    const name = roomName('acc_gated')
    const store: DocumentStore = {
      ...inner,
      async appendUpdate(docName, update) {
        if (docName === name) {
          held.push(docName)
          await gate
        }
        await inner.appendUpdate(docName, update)
      },
    }
    const started = await startServer({ documentStore: store, debounceMs: 60_000, maxDebounceMs: 120_000 })
    cleanups.push(() => started.stop())
    const admin = await testAdmin(started.server, started.url)
    const writer = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
    const reader = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
    cleanups.push(
      () => writer.destroy(),
      () => reader.destroy(),
    )

    writer.doc.getText('scratch').insert(0, 'held')
    // The other client has it: the server applied and broadcast it, and the append is waiting at the gate.
    await vi.waitFor(() => expect(reader.doc.getText('scratch').toString()).toBe('held'))
    expect(held.length).toBeGreaterThan(0)
    // The writer's next update is not queued behind the first one's append (the per-connection order chains only
    // the replies): it reaches the other client while both appends wait at the gate.
    const heldBefore = held.length
    writer.doc.getText('scratch').insert(4, ' and more')
    await vi.waitFor(() => expect(reader.doc.getText('scratch').toString()).toBe('held and more'))
    expect(held.length).toBeGreaterThan(heldBefore)
    // Nor is the writer's presence: an awareness change sent after the held updates reaches the other client.
    writer.provider.setAwarenessField('editing', 'account.notes')
    await vi.waitFor(() =>
      expect(reader.provider.awareness?.getStates().get(writer.doc.clientID)).toMatchObject({
        editing: 'account.notes',
      }),
    )
    // A full round trip on the writer's own socket (messages on one socket arrive in order): had the server sent
    // the acknowledgement when it applied the update, it would have arrived before this document synced.
    const other = new HocuspocusProvider({
      websocketProvider: writer.socket,
      name: roomName('acc_other'),
      document: new Y.Doc(),
      token: admin.token,
    })
    other.attach()
    cleanups.push(() => other.destroy())
    await vi.waitFor(() => expect(other.isSynced).toBe(true))
    expect(writer.provider.hasUnsyncedChanges).toBe(true)

    release()
    await waitForAcked(writer)
    expect((await inner.loadWithLog(name)).log.length).toBeGreaterThan(0)
  })
})
