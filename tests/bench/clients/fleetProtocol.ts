import { z } from 'zod'

/**
 * The IPC messages between the bench (parent) and a client fleet child (`fleet.ts`). Both sides parse what they
 * receive with these schemas, so a malformed message is a plain error, never a crash of the other process.
 */
export const FleetCommand = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('connect'),
    /** Hocuspocus WebSocket URL (`ws://host:port/collab` for Rapport). */
    url: z.string().min(1),
    /** The token every provider sends when `session` is null (bare Hocuspocus: empty). */
    token: z.string(),
    /**
     * Where the tabs get their collab tokens when the server issues short-lived ones (Rapport: 10 minutes): the REST
     * base URL and the session cookie. The tabs then fetch, cache and refresh a token like the web app's TokenSource
     * (`POST /api/auth/collab-token`), so a tab that (re)authenticates after the first token expired is not refused.
     */
    session: z.object({ url: z.string().min(1), cookie: z.string().min(1) }).nullable(),
    /** Documents shared out round-robin: tab i opens `rooms[i % rooms.length]` with awareness (as the web app). */
    rooms: z.array(z.string().min(1)).min(1),
    /** Documents every tab also opens (e.g. `W/workspace`). */
    shared: z.array(z.string().min(1)),
    /** Whether the shared documents get the awareness `user` field too (the web app sets it on every document). */
    sharedAwareness: z.boolean(),
    /** Tabs (one socket each). */
    tabs: z.number().int().min(1).max(5_000),
    /** Tabs connected at once; the next batch starts when these have synced. */
    batch: z.number().int().min(1).max(1_000),
    timeoutMs: z.number().int().min(1),
    /**
     * When set, the fleet stops connecting more tabs once a batch took longer than this to sync (the load does not
     * settle any more), and reports how many tabs it reached; a batch that times out is closed and not counted.
     * Null: every tab must connect (a batch that times out is an error).
     */
    settleMs: z.number().int().min(1).nullable(),
  }),
  z.object({
    type: z.literal('latency'),
    /** Measured rounds (after `warmup` discarded ones), one writer per round, rooms in rotation. */
    rounds: z.number().int().min(1),
    warmup: z.number().int().min(0),
  }),
  z.object({ type: z.literal('close') }),
])
export type FleetCommand = z.infer<typeof FleetCommand>

export const FleetReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('connected'),
    tabs: z.number(),
    /** False when the ramp stopped early (see `settleMs`): `tabs` is then below the requested count. */
    settled: z.boolean(),
    /** Why the ramp stopped early (null when settled). */
    stop: z.string().nullable(),
    /** Sync time of every batch, in order (ms). */
    batchMs: z.array(z.number()),
    providers: z.number(),
    ms: z.number(),
    /** Slowest batch: its tabs opened until all of their documents synced. */
    slowestBatchMs: z.number(),
  }),
  z.object({
    type: z.literal('latency'),
    rounds: z.number(),
    samples: z.array(z.number()),
    lost: z.number(),
    /** Readers per round (tabs on the round's room minus its writer), summed over measured rounds. */
    expected: z.number(),
  }),
  z.object({ type: z.literal('closed') }),
  z.object({ type: z.literal('error'), message: z.string() }),
])
export type FleetReply = z.infer<typeof FleetReply>
