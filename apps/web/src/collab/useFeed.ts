import { docName, type FeedEvent, feedEventsOf, isFeedMarker, parseFeedMessage } from '@rapport/model'
import { useEffect, useRef } from 'react'
import { useCollab } from './CollabContext.tsx'
import type { DocHandle } from './DocHandle.ts'
import type { DocRegistry } from './DocRegistry.ts'

/**
 * What a feed listener hears: a record event; `live` when the feed follows (after every (re)connect — `resumed`
 * means every missed event came first, otherwise what is shown may be older than the feed: refetch); `reset` when
 * the missed events are gone (refetch what is shown).
 */
export type FeedSignal =
  | { type: 'event'; event: FeedEvent }
  | { type: 'live'; resumed: boolean }
  | { type: 'reset' }

export type FeedListener = (signal: FeedSignal) => void

/**
 * The tab's change feed of one workspace: the registry's provider for `W/feed` on the tab's one socket, opened while
 * someone listens. After every (re)connect it sends `{"type":"resume","since","batch":true}` with the last seq it saw,
 * so the server sends what was missed (or `reset`), events committed together as one `batch` message; events already
 * seen are dropped, malformed messages ignored.
 */
export class FeedChannel {
  private readonly listeners = new Set<FeedListener>()
  private handle: DocHandle | null = null
  private stopProvider: (() => void) | null = null
  private last: number | undefined
  private sentSince: number | undefined
  /** Seq of the newest event or marker seen (diagnostics, tests). */
  get lastSeq(): number | undefined {
    return this.last
  }

  constructor(
    private readonly registry: DocRegistry,
    readonly name: string,
  ) {}

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener)
    if (this.listeners.size === 1) this.open()
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0) this.closeChannel()
    }
  }

  private open(): void {
    // Continuity matters only while someone listens: a listener that arrives later fetched what it shows itself.
    this.last = undefined
    const handle = this.registry.acquire(this.name)
    this.handle = handle
    const provider = handle.provider
    const onSynced = ({ state }: { state: boolean }) => {
      if (state) this.resume()
    }
    const onStateless = ({ payload }: { payload: string }) => this.receive(payload)
    provider.on('synced', onSynced)
    provider.on('stateless', onStateless)
    this.stopProvider = () => {
      provider.off('synced', onSynced)
      provider.off('stateless', onStateless)
    }
    // Reopened within the registry's grace period: the connection is up already, and it may have stopped
    // following when nobody listened — ask again.
    if (provider.isSynced) this.resume()
  }

  private closeChannel(): void {
    this.stopProvider?.()
    this.stopProvider = null
    if (this.handle) this.registry.release(this.name)
    this.handle = null
  }

  private resume(): void {
    const provider = this.handle?.provider
    if (!provider) return
    this.sentSince = this.last
    // batch: events committed together (an import's batch of records) come as one message.
    provider.sendStateless(
      JSON.stringify(
        this.last === undefined
          ? { type: 'resume', batch: true }
          : { type: 'resume', since: this.last, batch: true },
      ),
    )
  }

  private receive(payload: string): void {
    const message = parseFeedMessage(payload)
    if (!message) return
    if (isFeedMarker(message)) {
      this.last = message.seq
      if (message.type === 'reset') this.emit({ type: 'reset' })
      else this.emit({ type: 'live', resumed: this.sentSince !== undefined })
      return
    }
    for (const event of feedEventsOf(message)) {
      if (this.last !== undefined && event.seq <= this.last) continue
      this.last = event.seq
      this.emit({ type: 'event', event })
    }
  }

  private emit(signal: FeedSignal): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(signal)
      } catch {
        // One broken listener must not stop the others.
      }
    }
  }
}

const channels = new WeakMap<DocRegistry, Map<string, FeedChannel>>()

/** The one feed channel of `workspaceId` for this registry (tab). */
export function feedChannel(registry: DocRegistry, workspaceId: string): FeedChannel {
  let byWorkspace = channels.get(registry)
  if (!byWorkspace) {
    byWorkspace = new Map()
    channels.set(registry, byWorkspace)
  }
  const name = docName({ workspaceId, kind: 'feed' })
  let channel = byWorkspace.get(name)
  if (!channel) {
    channel = new FeedChannel(registry, name)
    byWorkspace.set(name, channel)
  }
  return channel
}

/** Calls `listener` with every feed signal of the current workspace while mounted (the latest `listener` is used). */
export function useFeed(listener: FeedListener): void {
  const { registry, member } = useCollab()
  const ref = useRef(listener)
  ref.current = listener
  useEffect(
    () => feedChannel(registry, member.workspaceId).subscribe((signal) => ref.current(signal)),
    [registry, member.workspaceId],
  )
}
