import { z } from 'zod'

/**
 * The per-workspace change feed (docs/schema.md, "Change feed"): one event per record change, in `seq` order, sent
 * as Hocuspocus stateless messages on `W/feed` and as Server-Sent Events on `GET /api/feed`. A list that shows REST
 * rows patches, inserts or removes the row (or refetches its window) when an event for its kind arrives.
 */

/** Record kinds the feed reports; the names of the REST list routes (`/api/<kind>`). */
export const FEED_KINDS = ['accounts', 'contacts', 'deals', 'tickets', 'tasks'] as const
export const FeedKind = z.enum(FEED_KINDS)
export type FeedKind = z.infer<typeof FeedKind>

/** The highest `seq` a client may send or a server may assign (fits a JSON number exactly). */
const SEQ = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

/**
 * One change of one record. `seq` increases by one per event within a workspace (never reused, also across
 * restarts once the persisted index assigns it). `row` is the record as `GET /api/<kind>/<id>` returns it after the
 * change (absent for `remove`, and optional for `upsert`: a client may refetch instead).
 */
export const FeedEvent = z.object({
  v: z.literal(1),
  seq: SEQ,
  kind: FeedKind,
  id: z.string().min(1).max(64),
  op: z.enum(['upsert', 'remove']),
  row: z.object({ id: z.string() }).loose().optional(),
})
export type FeedEvent = z.infer<typeof FeedEvent>

/**
 * The events a client asked for (by `since`) are no longer kept (or come from before a server restart): refetch what
 * is shown. The feed then follows from `seq`, the newest seq at the time of the reset.
 */
export const FeedReset = z.object({ type: z.literal('reset'), seq: SEQ })
export type FeedReset = z.infer<typeof FeedReset>

/** Every missed event has been sent: the feed now follows live from `seq` (the newest seq so far). */
export const FeedLive = z.object({ type: z.literal('live'), seq: SEQ })
export type FeedLive = z.infer<typeof FeedLive>

/** Most events in one `batch` message (the server also keeps a message under FEED_BATCH_MAX_CHARS). */
export const FEED_BATCH_MAX_EVENTS = 1_000
/** Longest `batch` message the server sends (characters of its JSON). */
export const FEED_BATCH_MAX_CHARS = 256 * 1024

/**
 * Events committed together (an import's batch, a merge), in `seq` order, as one message: sent on `W/feed` only to a
 * connection that asked for them in its `resume` (`batch: true`). Each is handled exactly as if it came alone.
 */
export const FeedBatch = z.object({
  type: z.literal('batch'),
  events: z.array(FeedEvent).min(1).max(FEED_BATCH_MAX_EVENTS),
})
export type FeedBatch = z.infer<typeof FeedBatch>

/** What the server sends on `W/feed` (stateless) and as SSE data (never a `batch` on SSE). */
export const FeedMessage = z.union([FeedEvent, FeedReset, FeedLive, FeedBatch])
export type FeedMessage = z.infer<typeof FeedMessage>

/**
 * Client → server on `W/feed` (stateless), after every (re)connect: send me every event after `since` (or a
 * `reset` if they are gone), then follow live. Without `since`: follow from now. A connection receives no event
 * before its first `resume`.
 */
export const FeedResume = z.object({
  type: z.literal('resume'),
  since: SEQ.optional(),
  /** Events committed together come as one `batch` message (FeedBatch) instead of one message each. */
  batch: z.boolean().optional(),
})
export type FeedResume = z.infer<typeof FeedResume>

/** How many events and for how long the server keeps them for resumption (per workspace). */
export const FEED_BUFFER = { events: 10_000, ms: 10 * 60_000 } as const

/** Parses a stateless payload or SSE data line: the message, or `null` for anything malformed (never throws). */
export function parseFeedMessage(payload: string): FeedMessage | null {
  if (payload.length > 1_000_000) return null
  try {
    const parsed = FeedMessage.safeParse(JSON.parse(payload))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** Parses a client's stateless payload on `W/feed`: the resume request or `null`. */
export function parseFeedResume(payload: string): FeedResume | null {
  if (payload.length > 1_000) return null
  try {
    const parsed = FeedResume.safeParse(JSON.parse(payload))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** True for the `reset` and `live` markers (not a record event, not a batch of them). */
export const isFeedMarker = (message: FeedMessage): message is FeedReset | FeedLive =>
  'type' in message && (message.type === 'reset' || message.type === 'live')

/** True for a `batch` of record events. */
export const isFeedBatch = (message: FeedMessage): message is FeedBatch =>
  'type' in message && message.type === 'batch'

/** The record events a message carries, in order: one, a batch's, or none (a marker). */
export const feedEventsOf = (message: FeedMessage): readonly FeedEvent[] =>
  isFeedBatch(message) ? message.events : isFeedMarker(message) ? [] : [message as FeedEvent]
