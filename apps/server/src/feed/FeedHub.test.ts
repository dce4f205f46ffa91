import { type FeedMessage, parseFeedMessage } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../log/logger.ts'
import { type FeedDelivery, FeedHub, type FeedInput } from './FeedHub.ts'

const logger = createLogger({ level: 'silent', format: 'json' })
const W = 'ws_a'
const sales = { userId: 'usr_s', workspaceId: W, role: 'sales' } as const
const support = { userId: 'usr_t', workspaceId: W, role: 'support' } as const
const contact = (id: string, name = 'Ada'): FeedInput => ({
  kind: 'contacts',
  id,
  op: 'upsert',
  row: { id, lastName: name },
  doc: `${W}/contact/${id}`,
})

function clock(start = 1_000_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

/** Collects what a subscriber receives, parsed as the client would. */
function collector() {
  const got: FeedMessage[] = []
  const deliver = (d: FeedDelivery) => {
    const message = parseFeedMessage(d.payload)
    if (!message) throw new Error(`malformed: ${d.payload}`)
    got.push(message)
  }
  return { got, deliver }
}

describe('FeedHub', () => {
  it('numbers events per workspace from its start time and delivers them in order after `live`', () => {
    const t = clock()
    const hub = new FeedHub({ logger, now: t.now })
    const c = collector()
    hub.subscribe(sales, undefined, c.deliver)
    const sent = hub.publish(W, [contact('con_1'), contact('con_2')])
    const base = 1_000_000 * 1000
    expect(sent.map((e) => e.seq)).toEqual([base + 1, base + 2])
    expect(c.got).toEqual([
      { type: 'live', seq: base },
      {
        v: 1,
        seq: base + 1,
        kind: 'contacts',
        id: 'con_1',
        op: 'upsert',
        row: { id: 'con_1', lastName: 'Ada' },
      },
      {
        v: 1,
        seq: base + 2,
        kind: 'contacts',
        id: 'con_2',
        op: 'upsert',
        row: { id: 'con_2', lastName: 'Ada' },
      },
    ])
    // Another workspace has its own numbering and subscribers.
    const other = collector()
    hub.subscribe({ ...sales, workspaceId: 'ws_b' }, undefined, other.deliver)
    expect(hub.publish('ws_b', [{ ...contact('con_9'), doc: 'ws_b/contact/con_x' }])[0]?.seq).toBe(base + 1)
    expect(c.got).toHaveLength(3)
    expect(other.got).toHaveLength(2)
  })

  it('takes the seqs it is given, and renumbers one that would go backwards', () => {
    const hub = new FeedHub({ logger, lastSeqAtStart: () => 40 })
    expect(hub.lastSeq(W)).toBe(40)
    expect(
      hub
        .publish(W, [
          { ...contact('con_1'), seq: 41 },
          { ...contact('con_2'), seq: 45 },
        ])
        .map((e) => e.seq),
    ).toEqual([41, 45])
    expect(hub.publish(W, [{ ...contact('con_3'), seq: 44 }])[0]?.seq).toBe(46)
  })

  it('filters every event by the member’s access to the record’s document', () => {
    const hub = new FeedHub({ logger })
    const viewer = collector()
    const noDeals = { userId: 'usr_v', workspaceId: W, role: 'viewer' } as const
    hub.subscribe(noDeals, undefined, viewer.deliver)
    const s = collector()
    hub.subscribe(sales, undefined, s.deliver)
    const foreign = collector()
    hub.subscribe({ ...sales, workspaceId: 'ws_b' }, undefined, foreign.deliver)
    hub.publish(W, [
      contact('con_1'),
      // A task lives in its account's room; an inbox is its owner's only (a record in someone's inbox reaches nobody else).
      { kind: 'tasks', id: 'tsk_1', op: 'upsert', row: { id: 'tsk_1' }, doc: `${W}/account/acc_1` },
      { kind: 'deals', id: 'dea_1', op: 'remove', doc: `${W}/inbox/usr_v` },
      // A document of another workspace, or none known: delivered to nobody.
      { kind: 'contacts', id: 'con_x', op: 'upsert', doc: 'ws_b/contact/con_x' },
      { kind: 'tasks', id: 'tsk_2', op: 'remove' },
    ])
    expect(s.got.filter((m) => 'id' in m).map((m) => ('id' in m ? m.id : ''))).toEqual(['con_1', 'tsk_1'])
    expect(viewer.got.filter((m) => 'id' in m).map((m) => ('id' in m ? m.id : ''))).toEqual([
      'con_1',
      'tsk_1',
      'dea_1',
    ])
    expect(foreign.got).toEqual([{ type: 'live', seq: expect.any(Number) }])
  })

  it('resumes after `since` with the missed events, or resets when they are gone or unknown', () => {
    const t = clock()
    const hub = new FeedHub({ logger, now: t.now, buffer: { events: 3, ms: 60_000 } })
    const [first] = hub.publish(W, [contact('con_1')])
    const start = (first?.seq ?? 0) - 1
    hub.publish(W, [contact('con_2'), contact('con_3')])
    const resumed = collector()
    hub.subscribe(support, start + 1, resumed.deliver)
    expect(resumed.got.map((m) => ('id' in m ? m.id : m.type))).toEqual(['con_2', 'con_3', 'live'])
    // The fourth event pushes the first out: `since` = start is now too old.
    hub.publish(W, [contact('con_4')])
    expect(hub.keptCount(W)).toBe(3)
    const late = collector()
    hub.subscribe(support, start, late.deliver)
    expect(late.got).toEqual([{ type: 'reset', seq: start + 4 }])
    // …while since = start + 1 still has everything after it.
    const onTime = collector()
    hub.subscribe(support, start + 1, onTime.deliver)
    expect(onTime.got.map((m) => ('id' in m ? m.id : m.type))).toEqual(['con_2', 'con_3', 'con_4', 'live'])
    // A seq from the future (e.g. another server's) resets.
    const future = collector()
    hub.subscribe(support, start + 99, future.deliver)
    expect(future.got).toEqual([{ type: 'reset', seq: start + 4 }])
    // Events older than the time limit go too.
    t.advance(60_001)
    expect(hub.keptCount(W)).toBe(0)
    const after = collector()
    hub.subscribe(support, start + 3, after.deliver)
    expect(after.got).toEqual([{ type: 'reset', seq: start + 4 }])
    const current = collector()
    hub.subscribe(support, start + 4, current.deliver)
    expect(current.got).toEqual([{ type: 'live', seq: start + 4 }])
  })

  it('hands a subscriber that takes them together the events of one publish (or one replay) in one call', () => {
    const hub = new FeedHub({ logger })
    const calls: FeedDelivery[][] = []
    const single = collector()
    const noDeals = { userId: 'usr_v', workspaceId: W, role: 'viewer' } as const
    const [first] = hub.publish(W, [contact('con_0')])
    hub.subscribe(sales, undefined, single.deliver, (many) => calls.push(many))
    const alone = collector()
    hub.subscribe(noDeals, undefined, alone.deliver)
    const [one, , two] = hub.publish(W, [
      contact('con_1'),
      { kind: 'deals', id: 'dea_1', op: 'remove', doc: `${W}/inbox/usr_v` },
      contact('con_2'),
    ])
    // Sales may not read the viewer's inbox: two events, in one call, in order.
    expect(calls.map((c) => c.map((d) => (parseFeedMessage(d.payload) as { id: string }).id))).toEqual([
      ['con_1', 'con_2'],
    ])
    // A publish with one readable event goes as usual, one delivery.
    const [three] = hub.publish(W, [contact('con_3')])
    expect(calls).toHaveLength(1)
    expect(single.got.map((m) => ('id' in m ? m.id : m.type))).toEqual(['live', 'con_3'])
    // A subscriber without it gets each event alone.
    expect(alone.got.map((m) => ('id' in m ? m.id : m.type))).toEqual([
      'live',
      'con_1',
      'dea_1',
      'con_2',
      'con_3',
    ])
    // A resume replays the missed events in one call, then `live`.
    const replayed: FeedDelivery[][] = []
    const resumed = collector()
    hub.subscribe(sales, first?.seq, resumed.deliver, (many) => replayed.push(many))
    expect(replayed.map((c) => c.map((d) => d.seq))).toEqual([[one?.seq, two?.seq, three?.seq]])
    expect(resumed.got.map((m) => ('type' in m ? m.type : m.id))).toEqual(['live'])
    // One that throws is dropped, the others go on.
    hub.subscribe(
      sales,
      undefined,
      () => {},
      () => {
        throw new Error('socket gone')
      },
    )
    hub.publish(W, [contact('con_4'), contact('con_5')])
    expect(hub.subscriberCount(W)).toBe(3)
  })

  it('keeps delivering to the others when one subscriber throws, and stops after unsubscribe and close', () => {
    const hub = new FeedHub({ logger })
    const good = collector()
    let calls = 0
    hub.subscribe(sales, undefined, () => {
      calls += 1
      if (calls > 1) throw new Error('socket gone')
    })
    const stop = hub.subscribe(sales, undefined, good.deliver)
    expect(hub.subscriberCount(W)).toBe(2)
    hub.publish(W, [contact('con_1')])
    expect(hub.subscriberCount(W)).toBe(1)
    expect(good.got).toHaveLength(2)
    stop()
    hub.publish(W, [contact('con_2')])
    expect(good.got).toHaveLength(2)
    hub.subscribe(sales, undefined, good.deliver)
    hub.close()
    expect(hub.publish(W, [contact('con_3')])).toEqual([])
    expect(hub.subscriberCount(W)).toBe(0)
  })

  it('keeps 10,000 events at most and finds the resume point in a large buffer', () => {
    const hub = new FeedHub({ logger })
    const inputs = Array.from({ length: 12_500 }, (_, i) => contact(`con_${i}`))
    const sent = hub.publish(W, inputs)
    expect(hub.keptCount(W)).toBe(10_000)
    const oldestKept = sent[2_500]?.seq ?? 0
    const c = collector()
    hub.subscribe(sales, oldestKept - 1, c.deliver)
    expect(c.got).toHaveLength(10_001)
    const r = collector()
    hub.subscribe(sales, oldestKept - 2, r.deliver)
    expect(r.got).toEqual([{ type: 'reset', seq: sent.at(-1)?.seq }])
  })
})
