import { docName } from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import { type Fleet, startFleet } from '../bench/lib/fleet.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'
import { roomName, TEST_WORKSPACE, testAdmin } from './helpers/testWorkspace.ts'

/**
 * The bench's client fleet (tests/bench/clients/fleet.ts) stands for browser tabs that stay open longer than a collab
 * token lives (10 minutes). Its tabs used the one token of the phase's start, so a tab that authenticated after that
 * token expired was refused ("Unauthorized") — the failure of the clients phase's presence row. Given the session,
 * they fetch their tokens as the web app does.
 */
describe('bench client fleet: collab tokens', () => {
  let server: StartedServer | null = null
  let fleet: Fleet | null = null
  afterEach(async () => {
    await fleet?.close()
    fleet = null
    await server?.stop()
    server = null
  })

  /** A server whose clock the test moves on; a member's token is taken, then the clock passes its expiry. */
  const withExpiredToken = async () => {
    let offset = 0
    server = await startServer({ now: () => Date.now() + offset })
    const admin = await testAdmin(server.server, server.url)
    const token = await admin.token()
    offset = 11 * 60_000
    return { s: server, cookie: admin.cookie, token }
  }

  const connect = (
    f: Fleet,
    s: StartedServer,
    token: string,
    session: { url: string; cookie: string } | null,
  ) =>
    f.connect({
      url: s.wsUrl,
      token,
      session,
      rooms: [roomName('acc_fleet_a'), roomName('acc_fleet_b')],
      shared: [docName({ workspaceId: TEST_WORKSPACE, kind: 'workspace' })],
      sharedAwareness: false,
      tabs: 4,
      batch: 2,
      timeoutMs: 15_000,
      settleMs: null,
    })

  it('tabs given the session authenticate after the first token expired', async () => {
    const { s, cookie, token } = await withExpiredToken()
    fleet = await startFleet()
    const connected = await connect(fleet, s, token, { url: s.url, cookie })
    expect(connected.tabs).toBe(4)
    expect(connected.providers).toBe(8)
    expect(connected.settled).toBe(true)
  }, 40_000)

  it('with only the expired token they are refused (the failure the session avoids)', async () => {
    const { s, token } = await withExpiredToken()
    fleet = await startFleet()
    await expect(connect(fleet, s, token, null)).rejects.toThrow(/authentication failed .*Unauthorized/)
  }, 40_000)
})
