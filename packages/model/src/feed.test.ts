import { describe, expect, it } from 'vitest'
import { FeedEvent, isFeedMarker, parseFeedMessage, parseFeedResume } from './feed.ts'

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
})
