import {
  accessTo,
  type DocRef,
  FEED_BUFFER,
  type FeedEvent,
  type FeedKind,
  type FeedMessage,
  parseDocName,
  type Role,
} from '@rapport/model'
import type { Logger } from '../log/logger.ts'

/** One record change handed to `publish`. Without `seq` the hub assigns the workspace's next one. */
export interface FeedInput {
  seq?: number
  kind: FeedKind
  id: string
  op: 'upsert' | 'remove'
  /** The record as `GET /api/<kind>/<id>` returns it (omit or null for a removal, or to let clients refetch). */
  row?: { id: string } & Record<string, unknown>
  /** The document the record lives in: the event goes only to members who may open it (`accessTo`). */
  doc?: string
}

/** Who receives events: the member's role decides, per event, by the record's document. */
export interface FeedMember {
  userId: string
  workspaceId: string
  role: Role
}

/** `change` = a record event; `reset` / `live` = the markers of the model's `FeedMessage`. */
export type FeedDelivery = { name: 'change' | 'reset' | 'live'; seq: number; payload: string }

export interface FeedHubOptions {
  logger: Logger
  now?: () => number
  /** Buffer per workspace for resumption (default: the model's `FEED_BUFFER`, 10,000 events / 10 minutes). */
  buffer?: { events: number; ms: number }
  /**
   * The newest seq a workspace had before this process started (the persisted index's `lastSeq`), so that a client
   * resuming from exactly there after a restart is not reset. Default: none known — the in-memory seq then starts at
   * the hub's start time in ms × 1,000, so seqs still only grow across restarts and an older `since` gets `reset`.
   */
  lastSeqAtStart?: (workspaceId: string) => number
}

interface Stored {
  seq: number
  at: number
  ref: DocRef | null
  payload: string
}

interface Subscriber {
  member: FeedMember
  deliver: (delivery: FeedDelivery) => void
  /** Takes the record events published (or replayed) together in one call, when there are several. */
  deliverMany?: (deliveries: FeedDelivery[]) => void
}

class WorkspaceFeed {
  /** Kept events, oldest first (`head` is the index of the oldest still kept). */
  events: Stored[] = []
  head = 0
  /** Events with seq ≤ floor are no longer kept. */
  floor: number
  last: number
  readonly subscribers = new Set<Subscriber>()
  constructor(start: number) {
    this.floor = start
    this.last = start
  }
  get size(): number {
    return this.events.length - this.head
  }
}

/** The document a record of `kind` lives in when the input names none (today's collection documents). */
function refOf(workspaceId: string, input: FeedInput): DocRef | null {
  if (input.doc !== undefined) {
    const ref = parseDocName(input.doc)
    return ref && ref.workspaceId === workspaceId ? ref : null
  }
  const row = input.row
  switch (input.kind) {
    case 'accounts':
      return { workspaceId, kind: 'account', accountId: input.id }
    case 'contacts':
      return { workspaceId, kind: 'contact', contactId: input.id }
    case 'tickets':
      return { workspaceId, kind: 'ticket', ticketId: input.id }
    case 'deals':
      return { workspaceId, kind: 'deal', dealId: input.id }
    case 'tasks':
      return typeof row?.accountId === 'string'
        ? { workspaceId, kind: 'account', accountId: row.accountId }
        : null
  }
}

/**
 * The per-workspace change feed (docs/schema.md "Change feed"). `publish` numbers the events (or takes the seqs it
 * is given), keeps the last ones for resumption and hands each to every subscriber of the workspace whose member may
 * read the record's document — the same rule as opening that document. Subscribers are the `W/feed` connections
 * (stateless messages, `feedExtension`) and `GET /api/feed` streams (SSE, `feedRoutes`); a subscriber receives the
 * missed events after its `since` (or a `reset` when they are gone), then `live`, then every new event, in seq order.
 * Synchronous and in memory: delivery writes to sockets, it never waits for them.
 */
export class FeedHub {
  private readonly workspaces = new Map<string, WorkspaceFeed>()
  private readonly now: () => number
  private readonly buffer: { events: number; ms: number }
  private readonly base: number
  private closed = false

  constructor(private readonly options: FeedHubOptions) {
    this.now = options.now ?? Date.now
    this.buffer = options.buffer ?? FEED_BUFFER
    this.base = Math.floor(this.now()) * 1000
  }

  private feed(workspaceId: string): WorkspaceFeed {
    let feed = this.workspaces.get(workspaceId)
    if (!feed) {
      feed = new WorkspaceFeed(this.options.lastSeqAtStart?.(workspaceId) ?? this.base)
      this.workspaces.set(workspaceId, feed)
    }
    return feed
  }

  /** The newest seq of the workspace (what a client resuming "from now" follows from). */
  lastSeq(workspaceId: string): number {
    return this.feed(workspaceId).last
  }

  /** Numbers, keeps and delivers the events of one workspace; returns them as sent. */
  publish(workspaceId: string, inputs: readonly FeedInput[]): FeedEvent[] {
    if (this.closed || inputs.length === 0) return []
    const feed = this.feed(workspaceId)
    const at = this.now()
    const sent: FeedEvent[] = []
    // Each subscriber's readable events, handed on after the loop (in one call to a subscriber that takes many).
    const pending = new Map<Subscriber, FeedDelivery[]>()
    for (const subscriber of feed.subscribers) pending.set(subscriber, [])
    for (const input of inputs) {
      let seq = input.seq ?? feed.last + 1
      if (seq <= feed.last) {
        // Seqs given by the index only grow; anything else would break resumption: renumber and say so.
        this.options.logger.warn('feed seq out of order, renumbered', { workspaceId, seq, last: feed.last })
        seq = feed.last + 1
      }
      feed.last = seq
      const event: FeedEvent = { v: 1, seq, kind: input.kind, id: input.id, op: input.op }
      if (input.row && input.op === 'upsert') event.row = input.row
      const stored: Stored = { seq, at, ref: refOf(workspaceId, input), payload: JSON.stringify(event) }
      feed.events.push(stored)
      sent.push(event)
      for (const [subscriber, deliveries] of pending)
        if (this.readable(subscriber, stored)) deliveries.push(this.change(stored))
    }
    for (const [subscriber, deliveries] of pending) this.sendMany(subscriber, feed, deliveries)
    this.prune(feed)
    return sent
  }

  /**
   * Starts delivering to `deliver`: the kept events after `since` that the member may read (or `reset` when `since`
   * is older than what is kept, or newer than the newest seq), then `live`, then every new event. Without `since`,
   * just `live`. Returns the unsubscribe function.
   */
  subscribe(
    member: FeedMember,
    since: number | undefined,
    deliver: (delivery: FeedDelivery) => void,
    deliverMany?: (deliveries: FeedDelivery[]) => void,
  ): () => void {
    const feed = this.feed(member.workspaceId)
    this.prune(feed)
    const subscriber: Subscriber = { member, deliver, ...(deliverMany && { deliverMany }) }
    if (since !== undefined && (since < feed.floor || since > feed.last)) {
      this.send(subscriber, feed, marker('reset', feed.last))
    } else {
      if (since !== undefined) {
        const missed: FeedDelivery[] = []
        for (let i = this.firstAfter(feed, since); i < feed.events.length; i++) {
          const stored = feed.events[i] as Stored
          if (this.readable(subscriber, stored)) missed.push(this.change(stored))
        }
        this.sendMany(subscriber, feed, missed)
      }
      this.send(subscriber, feed, marker('live', feed.last))
    }
    if (!this.closed) feed.subscribers.add(subscriber)
    return () => {
      feed.subscribers.delete(subscriber)
    }
  }

  /** Subscribers per workspace (tests, health). */
  subscriberCount(workspaceId: string): number {
    return this.workspaces.get(workspaceId)?.subscribers.size ?? 0
  }

  /** Events kept for resumption in a workspace. */
  keptCount(workspaceId: string): number {
    const feed = this.workspaces.get(workspaceId)
    if (!feed) return 0
    this.prune(feed)
    return feed.size
  }

  /** Stops delivering (server shutdown); subscribers are dropped. */
  close(): void {
    this.closed = true
    for (const feed of this.workspaces.values()) feed.subscribers.clear()
  }

  private readable(subscriber: Subscriber, stored: Stored): boolean {
    return stored.ref !== null && accessTo(subscriber.member, stored.ref) !== 'none'
  }

  private change(stored: Stored): FeedDelivery {
    return { name: 'change', seq: stored.seq, payload: stored.payload }
  }

  /**
   * A subscriber's events in order: in one call when it takes several together and there are several, else one by
   * one until it fails.
   */
  private sendMany(subscriber: Subscriber, feed: WorkspaceFeed, deliveries: FeedDelivery[]): void {
    const { deliverMany } = subscriber
    if (deliverMany && deliveries.length > 1) this.attempt(subscriber, feed, () => deliverMany(deliveries))
    else for (const delivery of deliveries) if (!this.send(subscriber, feed, delivery)) return
  }

  private send(subscriber: Subscriber, feed: WorkspaceFeed, delivery: FeedDelivery): boolean {
    return this.attempt(subscriber, feed, () => subscriber.deliver(delivery))
  }

  /** Runs a delivery; a subscriber that cannot take it (its socket is gone) is dropped, the others go on. */
  private attempt(subscriber: Subscriber, feed: WorkspaceFeed, delivery: () => void): boolean {
    try {
      delivery()
      return true
    } catch (error) {
      feed.subscribers.delete(subscriber)
      this.options.logger.debug('feed subscriber dropped', { error })
      return false
    }
  }

  /** Index of the first kept event with seq > since (seqs are increasing: binary search). */
  private firstAfter(feed: WorkspaceFeed, since: number): number {
    let lo = feed.head
    let hi = feed.events.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((feed.events[mid] as Stored).seq <= since) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private prune(feed: WorkspaceFeed): void {
    const oldest = this.now() - this.buffer.ms
    while (feed.size > 0) {
      const first = feed.events[feed.head] as Stored
      if (feed.size <= this.buffer.events && first.at >= oldest) break
      feed.floor = first.seq
      feed.head += 1
    }
    // Compact the array now and then rather than shifting on every prune.
    if (feed.head > 1024 && feed.head * 2 > feed.events.length) {
      feed.events = feed.events.slice(feed.head)
      feed.head = 0
    }
  }
}

const marker = (type: 'reset' | 'live', seq: number): FeedDelivery => {
  const message: FeedMessage = { type, seq }
  return { name: type, seq, payload: JSON.stringify(message) }
}
