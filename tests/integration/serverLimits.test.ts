import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { getHealth, openSyncedDoc, waitForAcked } from './helpers/collabClient.ts'
import { authFrame, frame, openRaw, seededRandom } from './helpers/rawFrames.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'
import { roomName, type TestMember, testAdmin } from './helpers/testWorkspace.ts'

let started: StartedServer
let admin: TestMember

beforeAll(async () => {
  started = await startServer({ debounceMs: 20, maxDebounceMs: 100, authDeadlineMs: 1500 })
  admin = await testAdmin(started.server, started.url)
})
afterAll(async () => {
  await started.stop()
})

const randomBytes = (random: () => number, length: number): number[] =>
  Array.from({ length }, () => Math.floor(random() * 256))

describe('WebSocket limits and robustness', () => {
  it('thousands of random frames (seeded) leave the server up and other clients syncing', async () => {
    const name = roomName('acc_fuzz')
    const alice = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
    const bob = await openSyncedDoc({ wsUrl: started.wsUrl, name, token: admin.token })
    const random = seededRandom(0xc0ffee)

    // Unauthenticated garbage from 8 parallel workers, each reconnecting when the server cuts it off:
    // random bytes, valid headers with random bodies, and names that are not Rapport documents.
    const garbage = (): Uint8Array => {
      const pick = random()
      if (pick < 0.3) return Uint8Array.from(randomBytes(random, Math.floor(random() * 48)))
      if (pick < 0.8)
        return frame(name, Math.floor(random() * 12), randomBytes(random, Math.floor(random() * 32)))
      return frame(`${name}/x${Math.floor(random() * 5)}`, 2, randomBytes(random, 8))
    }
    let sent = 0
    let connections = 0
    const worker = async (): Promise<void> => {
      while (sent < 3000) {
        const raw = await openRaw(started.wsUrl)
        connections += 1
        for (let index = 0; index < 60 && raw.ws.readyState === WebSocket.OPEN; index += 1) {
          raw.ws.send(garbage())
          sent += 1
        }
        raw.ws.terminate()
        await raw.closed
      }
    }
    // An authenticated raw client sending random (invalid) bodies into the real document, reconnecting too.
    const authedWorker = async (): Promise<void> => {
      for (let round = 0; round < 20; round += 1) {
        const authed = await openRaw(started.wsUrl)
        authed.ws.send(authFrame(name, await admin.token()))
        await vi.waitFor(() => expect(authed.messages.length).toBeGreaterThan(0))
        for (let index = 0; index < 20 && authed.ws.readyState === WebSocket.OPEN; index += 1) {
          authed.ws.send(
            frame(name, Math.floor(random() * 9), randomBytes(random, 1 + Math.floor(random() * 40))),
          )
          sent += 1
        }
        authed.ws.terminate()
        await authed.closed
      }
    }
    await Promise.all([...Array.from({ length: 8 }, worker), authedWorker()])
    expect(sent).toBeGreaterThanOrEqual(3000)
    expect(connections).toBeGreaterThan(8)

    // The real clients still sync both ways.
    alice.doc.getText('scratch').insert(0, 'still alive')
    await vi.waitFor(() => expect(bob.doc.getText('scratch').toString()).toBe('still alive'))
    bob.doc.getMap('m').set('from', 'bob')
    await vi.waitFor(() => expect(alice.doc.getMap('m').get('from')).toBe('bob'))
    await waitForAcked(alice)
    expect((await getHealth(started.url)).ok).toBe(true)
    alice.destroy()
    bob.destroy()
    await vi.waitFor(async () =>
      expect(await getHealth(started.url)).toMatchObject({ connections: 0, documents: 0 }),
    )
  })

  it('closes a connection that sends a frame over 1 MiB (1009)', async () => {
    const raw = await openRaw(started.wsUrl)
    raw.ws.send(new Uint8Array(1024 * 1024 + 1))
    expect(await raw.closed).toBe(1009)
  })

  it('closes a connection that floods messages (4429) and a text frame (1003)', async () => {
    const flooder = await openRaw(started.wsUrl)
    const message = frame(roomName('acc_flood'), 0, [0, 0])
    for (let index = 0; index < 2000 && flooder.ws.readyState === WebSocket.OPEN; index += 1)
      flooder.ws.send(message)
    expect(await flooder.closed).toBe(4429)

    const texter = await openRaw(started.wsUrl)
    texter.ws.send('hello')
    expect(await texter.closed).toBe(1003)
    expect((await getHealth(started.url)).closedForLimits).toBeGreaterThanOrEqual(2)
  })

  it('an unauthenticated upgrade flood is cheap and cut off at the auth deadline', async () => {
    const before = await getHealth(started.url)
    const sockets = await Promise.all(Array.from({ length: 150 }, () => openRaw(started.wsUrl)))
    // The server answers HTTP meanwhile, and no document was loaded for them.
    const during = await getHealth(started.url)
    expect(during.documents).toBe(0)
    const codes = await Promise.all(sockets.map((socket) => socket.closed))
    expect(new Set(codes)).toEqual(new Set([4401]))
    const after = await getHealth(started.url)
    expect(after.closedForLimits - before.closedForLimits).toBe(150)
    expect(after.connections).toBe(0)
  })

  it('refuses upgrades outside /collab', async () => {
    const ws = new WebSocket(started.wsUrl.replace('/collab', '/elsewhere'))
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
      ws.once('error', () => resolve(-1))
    })
    expect(status).toBe(404)
  })
})
