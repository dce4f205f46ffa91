import { describe, expect, it } from 'vitest'
import {
  FEED_BATCH_MAX_EVENTS,
  FeedEvent,
  feedEventsOf,
  isFeedBatch,
  isFeedMarker,
  parseFeedMessage,
  parseFeedResume,
} from './feed.ts'

describe('feed messages', () => {
  it('parses an event, a reset and a resume; anything else is null', () => {
    const event = { v: 1, seq: 3, kind: 'contacts', id: 'con_1', op: 'upsert', row: { id: 'con_1', x: 1 } }
    expect(parseFeedMessage(JSON.stringify(event))).toEqual(event)
    const reset = parseFeedMessage('{"type":"reset","seq":9}')
    expect(reset && isFeedMarker(reset)).toBe(true)
    expect(parseFeedMessage('{"type":"live","seq":9}')).toEqual({ type: 'live', seq: 9 })
    expect(parseFeedMessage('{"type":"reset"}')).toBeNull()
    expect(parseFeedResume('{"type":"resume","since":0}')).toEqual({ type: 'resume', since: 0 })
    expect(parseFeedResume('{"type":"resume"}')).toEqual({ type: 'resume' })
    for (const bad of ['', 'nope', '{"v":2}', '{"type":"resume","since":-1}', 'null', '[]', '{"type":"x"}']) {
      expect(parseFeedMessage(bad)).toBeNull()
      expect(parseFeedResume(bad)).toBeNull()
    }
    expect(parseFeedMessage(JSON.stringify({ ...event, kind: 'notes' }))).toBeNull()
    expect(parseFeedMessage(JSON.stringify({ ...event, op: 'move' }))).toBeNull()
    expect(FeedEvent.safeParse({ ...event, seq: 1.5 }).success).toBe(false)
  })

  it('parses a batch of events (1 to 1,000, each a valid event) and a resume that asks for batches', () => {
    const event = (seq: number) => ({ v: 1, seq, kind: 'contacts', id: `con_${seq}`, op: 'upsert' })
    const batch = parseFeedMessage(JSON.stringify({ type: 'batch', events: [event(4), event(5)] }))
    expect(batch && isFeedBatch(batch)).toBe(true)
    expect(batch && isFeedMarker(batch)).toBe(false)
    expect(batch && feedEventsOf(batch).map((e) => e.seq)).toEqual([4, 5])
    const one = parseFeedMessage(JSON.stringify(event(6)))
    expect(one && feedEventsOf(one).map((e) => e.seq)).toEqual([6])
    const live = parseFeedMessage('{"type":"live","seq":6}')
    expect(live && feedEventsOf(live)).toEqual([])
    const full = Array.from({ length: FEED_BATCH_MAX_EVENTS }, (_, i) => event(i + 1))
    expect(parseFeedMessage(JSON.stringify({ type: 'batch', events: full }))).not.toBeNull()
    for (const events of [[], [...full, event(1_001)], [event(1), { ...event(2), op: 'move' }]])
      expect(parseFeedMessage(JSON.stringify({ type: 'batch', events }))).toBeNull()
    expect(parseFeedResume('{"type":"resume","since":3,"batch":true}')).toEqual({
      type: 'resume',
      since: 3,
      batch: true,
    })
    expect(parseFeedResume('{"type":"resume","batch":"yes"}')).toBeNull()
  })
})
