import { once } from 'node:events'
import { connect, createServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { nextImportTurn } from './importTurns.ts'

/*
 * Three import steps run at once, each yielding between its slices. In every slice, step A writes a byte over a real
 * loopback TCP connection (another user's edit arriving): it is readable at once, and delivered in the next poll
 * phase. With one slice per loop turn it arrives before any other slice runs; with `setImmediate` as the yield the other
 * steps' slices queued in the same check phase ran first.
 */

let closeAll: Array<() => void> = []
afterEach(() => {
  for (const close of closeAll) close()
  closeAll = []
})

async function loopback(): Promise<{ client: Socket; server: Socket }> {
  const listener = createServer()
  listener.listen(0, '127.0.0.1')
  await once(listener, 'listening')
  const address = listener.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  const accepted = once(listener, 'connection')
  const client = connect(address.port, '127.0.0.1')
  await once(client, 'connect')
  const [server] = (await accepted) as [Socket]
  client.setNoDelay(true)
  closeAll.push(() => {
    client.destroy()
    server.destroy()
    listener.close()
  })
  return { client, server }
}

async function run(yieldTurn: () => Promise<void>): Promise<string[]> {
  const { client, server } = await loopback()
  const log: string[] = []
  let sent = 0
  server.on('data', (data) => {
    for (let i = 0; i < data.length; i++) log.push('edit')
  })
  const step = async (name: string, slices: number) => {
    for (let i = 0; i < slices; i++) {
      if (i > 0) await yieldTurn()
      log.push(name)
      if (name === 'A') {
        client.write(Buffer.from([sent++]))
        // The byte is in the server socket's receive buffer before this slice ends (loopback).
        const until = Date.now() + 5
        while (Date.now() < until) {}
      }
    }
  }
  await Promise.all([step('A', 5), step('B', 5), step('C', 5)])
  // The last byte, written in A's last slice.
  while (log.filter((e) => e === 'edit').length < sent) await once(server, 'data')
  return log
}

describe('nextImportTurn', () => {
  it('hands out one slice per loop turn: an edit arriving during a slice is read before the next slice runs', async () => {
    const log = await run(nextImportTurn)
    // The steps' first slices run in the caller's turn (A B C) and the first release in that turn's check phase; from
    // then on each of A's writes is read before any other slice: "A edit".
    const after = log.flatMap((event, i) => (event === 'A' ? [log[i + 1]] : []))
    expect(after.slice(2)).toEqual(['edit', 'edit', 'edit'])
    expect(log.filter((e) => e === 'edit')).toHaveLength(5)
  })

  it('(the old yield) setImmediate let the other steps run first', async () => {
    const log = await run(() => new Promise((resolve) => setImmediate(resolve)))
    const after = log.flatMap((event, i) => (event === 'A' ? [log[i + 1]] : []))
    expect(after.slice(2)).not.toEqual(['edit', 'edit', 'edit'])
  })

  it('releases waiters in the order they asked', async () => {
    const order: number[] = []
    await Promise.all([0, 1, 2, 3].map((i) => nextImportTurn().then(() => order.push(i))))
    expect(order).toEqual([0, 1, 2, 3])
  })
})
