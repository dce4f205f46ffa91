import { describe, expect, it } from 'vitest'
import type { DocRegistry } from './DocRegistry.ts'
import { FeedChannel, type FeedSignal } from './useFeed.ts'

/** A provider and registry just big enough for the channel: events by name, sent stateless messages kept. */
function fakeRegistry() {
  const handlers = new Map<string, Set<(payload: never) => void>>()
  const sent: string[] = []
  const provider = {
    isSynced: false,
    on(name: string, fn: (payload: never) => void) {
      if (!handlers.has(name)) handlers.set(name, new Set())
      handlers.get(name)?.add(fn)
    },
    off(name: string, fn: (payload: never) => void) {
      handlers.get(name)?.delete(fn)
    },
    sendStateless(payload: string) {
      sent.push(payload)
    },
  }
  const emit = (name: string, payload: unknown) => {
    for (const fn of handlers.get(name) ?? []) fn(payload as never)
  }
  const acquired: string[] = []
  const released: string[] = []
  const registry = {
    acquire(name: string) {
      acquired.push(name)
      return { provider }
    },
    release(name: string) {
      released.push(name)
    },
  } as unknown as DocRegistry
  return { registry, provider, emit, sent, acquired, released, handlers }
}

const stateless = (message: unknown) => ({
  payload: typeof message === 'string' ? message : JSON.stringify(message),
})
const event = (seq: number, id = 'con_1') => ({ v: 1, seq, kind: 'contacts', id, op: 'upsert' })

describe('FeedChannel', () => {
  it('resumes after every (re)connect from the last seq, drops repeats and malformed messages, surfaces reset', () => {
    const f = fakeRegistry()
    const channel = new FeedChannel(f.registry, 'ws_a/feed')
    const got: FeedSignal[] = []
    const stop = channel.subscribe((s) => got.push(s))
    expect(f.acquired).toEqual(['ws_a/feed'])
    expect(f.sent).toEqual([])
    f.emit('synced', { state: true })
    expect(f.sent).toEqual(['{"type":"resume","batch":true}'])
    f.emit('stateless', stateless({ type: 'live', seq: 5 }))
    f.emit('stateless', stateless(event(6)))
    f.emit('stateless', stateless(event(6)))
    f.emit('stateless', stateless('not json'))
    f.emit('stateless', stateless({ v: 1, seq: 7, kind: 'notes', id: 'x', op: 'upsert' }))
    expect(got).toEqual([
      { type: 'live', resumed: false },
      { type: 'event', event: event(6) },
    ])
    // Reconnect: resume from 6; the server's replay and live marker follow.
    f.emit('synced', { state: false })
    f.emit('synced', { state: true })
    expect(f.sent.at(-1)).toBe('{"type":"resume","since":6,"batch":true}')
    f.emit('stateless', stateless(event(8, 'con_2')))
    f.emit('stateless', stateless({ type: 'live', seq: 8 }))
    f.emit('stateless', stateless({ type: 'reset', seq: 20 }))
    expect(got.slice(2)).toEqual([
      { type: 'event', event: event(8, 'con_2') },
      { type: 'live', resumed: true },
      { type: 'reset' },
    ])
    expect(channel.lastSeq).toBe(20)
    stop()
    expect(f.released).toEqual(['ws_a/feed'])
    expect([...(f.handlers.get('stateless') ?? [])]).toHaveLength(0)
  })

  it('shares one provider among listeners, asks again when reopened on a synced connection, and isolates a throwing listener', () => {
    const f = fakeRegistry()
    const channel = new FeedChannel(f.registry, 'ws_a/feed')
    const a: FeedSignal[] = []
    const stopBad = channel.subscribe(() => {
      throw new Error('broken listener')
    })
    const stopA = channel.subscribe((s) => a.push(s))
    expect(f.acquired).toHaveLength(1)
    f.emit('synced', { state: true })
    f.emit('stateless', stateless(event(3)))
    expect(a).toEqual([{ type: 'event', event: event(3) }])
    stopBad()
    stopA()
    expect(f.released).toHaveLength(1)
    f.provider.isSynced = true
    channel.subscribe(() => {})
    expect(f.acquired).toHaveLength(2)
    // A fresh start: what the new listener shows is fetched by itself, so follow from now.
    expect(f.sent.at(-1)).toBe('{"type":"resume","batch":true}')
  })

  it('hands on each event of a batch in order as if it came alone, dropping the ones already seen', () => {
    const f = fakeRegistry()
    const channel = new FeedChannel(f.registry, 'ws_a/feed')
    const got: FeedSignal[] = []
    channel.subscribe((s) => got.push(s))
    f.emit('synced', { state: true })
    f.emit('stateless', stateless({ type: 'live', seq: 5 }))
    f.emit('stateless', stateless(event(6)))
    f.emit(
      'stateless',
      stateless({ type: 'batch', events: [event(6), event(7, 'con_7'), event(8, 'con_8')] }),
    )
    // A malformed batch (one bad event) is dropped whole.
    f.emit('stateless', stateless({ type: 'batch', events: [event(9), { ...event(10), op: 'move' }] }))
    expect(got).toEqual([
      { type: 'live', resumed: false },
      { type: 'event', event: event(6) },
      { type: 'event', event: event(7, 'con_7') },
      { type: 'event', event: event(8, 'con_8') },
    ])
    expect(channel.lastSeq).toBe(8)
  })
})
