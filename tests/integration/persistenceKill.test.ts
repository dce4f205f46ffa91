import { rm } from 'node:fs/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type * as Y from 'yjs'
import { signIn } from './helpers/clients.ts'
import { type CollabClient, openDoc, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { newDataDir, type ServerProcess, startServer, startServerProcess } from './helpers/startServer.ts'
import { roomName, testAdmin } from './helpers/testWorkspace.ts'

const SECRET = 'kill-test-session-secret-0123456789-abcdefghij'
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const keysOf = (doc: Y.Doc): string[] => [...doc.getMap<number>('edits').keys()].sort()

describe('SIGKILL mid-edit', () => {
  it('two clients keep editing through a SIGKILL and a restart: every edit of both survives', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))

    // Users and sessions live in the metadata db of the data dir; seed them with an in-process server.
    const seeder = await startServer({ dataDir, secrets: { session: SECRET } })
    const seededAdmin = await testAdmin(seeder.server, seeder.url)
    await seeder.stop({ keep: true })

    // A long debounce: at the kill nothing (or little) was stored; the clients must re-send it all.
    const env = { SESSION_SECRET: SECRET, DEBOUNCE_MS: '60000' }
    let proc: ServerProcess = await startServerProcess(dataDir, env)
    cleanups.push(() => proc.kill('SIGKILL'))
    const { token } = await signIn(proc.url, seededAdmin.user)

    const name = roomName('acc_kill')
    const alice = await openSyncedDoc({ wsUrl: proc.wsUrl, name, token })
    const bob = await openSyncedDoc({ wsUrl: proc.wsUrl, name, token })
    cleanups.push(
      () => alice.destroy(),
      () => bob.destroy(),
    )

    const edit = (client: CollabClient, who: string, count: number, from: number): void => {
      const map = client.doc.getMap<number>('edits')
      for (let index = from; index < from + count; index += 1)
        map.set(`${who}${String(index).padStart(4, '0')}`, index)
    }
    edit(alice, 'a', 20, 0)
    edit(bob, 'b', 20, 0)
    await waitForAcked(alice)
    await waitForAcked(bob)
    // Edits the server may or may not have received when it dies.
    edit(alice, 'a', 20, 20)
    edit(bob, 'b', 20, 20)
    const port = proc.port
    const killed = await proc.kill('SIGKILL')
    expect(killed).toBeNull()
    // Offline edits while the server is down.
    edit(alice, 'a', 20, 40)
    edit(bob, 'b', 20, 40)

    // Same port: the providers reconnect to the URL they know.
    proc = await startServerProcess(dataDir, { ...env, PORT: String(port) })
    const expected = [
      ...Array.from({ length: 60 }, (_, index) => `a${String(index).padStart(4, '0')}`),
      ...Array.from({ length: 60 }, (_, index) => `b${String(index).padStart(4, '0')}`),
    ].sort()
    // Both reconnect on their own, re-send what the new server lacks, and converge.
    await vi.waitFor(
      () => {
        expect(keysOf(alice.doc)).toEqual(expected)
        expect(keysOf(bob.doc)).toEqual(expected)
      },
      { timeout: 20_000, interval: 50 },
    )
    await waitForAcked(alice, 20_000)
    await waitForAcked(bob, 20_000)

    // Graceful stop flushes; a fresh client after another restart sees everything.
    alice.destroy()
    bob.destroy()
    expect(await proc.kill('SIGTERM')).toBe(0)
    proc = await startServerProcess(dataDir, env)
    const { token: token3 } = await signIn(proc.url, seededAdmin.user)
    const fresh = await openSyncedDoc({ wsUrl: proc.wsUrl, name, token: token3 })
    cleanups.push(() => fresh.destroy())
    expect(keysOf(fresh.doc)).toEqual(expected)
  })

  it('SIGKILL after the debounce fired: stored edits are there for a brand-new client', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const seeder = await startServer({ dataDir, secrets: { session: SECRET } })
    const seededAdmin = await testAdmin(seeder.server, seeder.url)
    await seeder.stop({ keep: true })
    const env = { SESSION_SECRET: SECRET, DEBOUNCE_MS: '20' }
    let proc = await startServerProcess(dataDir, env)
    cleanups.push(() => proc.kill('SIGKILL'))
    const { token } = await signIn(proc.url, seededAdmin.user)
    const name = roomName('acc_kill2')
    const writer = openDoc({ wsUrl: proc.wsUrl, name, token })
    cleanups.push(() => writer.destroy())
    await writer.synced
    writer.doc.getText('scratch').insert(0, 'stored before the crash')
    await waitForAcked(writer)
    // Wait for the store through the health endpoint, then kill and drop the client's copy.
    await vi.waitFor(async () => {
      const health = (await (await fetch(`${proc.url}/api/health`)).json()) as {
        dirtyDocuments: number
        stores: number
      }
      expect(health.stores).toBeGreaterThan(0)
      expect(health.dirtyDocuments).toBe(0)
      // The first store waits until the index holds the document's state, and the index's thread starts with the
      // server (its TypeScript compiled): ~1.1 s after the start on a slow machine, past waitFor's default 1 s.
    }, 15_000)
    writer.destroy()
    await proc.kill('SIGKILL')
    proc = await startServerProcess(dataDir, env)
    const { token: token2 } = await signIn(proc.url, seededAdmin.user)
    const reader = await openSyncedDoc({ wsUrl: proc.wsUrl, name, token: token2 })
    cleanups.push(() => reader.destroy())
    expect(reader.doc.getText('scratch').toString()).toBe('stored before the crash')
  })
})
