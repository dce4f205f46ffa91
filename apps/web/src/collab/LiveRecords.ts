import { observeRecords, type RecordMap, readRecord, readRecords } from '@rapport/model'
import type * as Y from 'yjs'
import type { z } from 'zod'

export interface LiveSnapshot<T> {
  /** Valid records by id (records failing their schema are left out, never thrown). */
  byId: ReadonlyMap<string, T>
  /** Bumped on every change, for memo dependencies. */
  version: number
}

export type RecordChangeListener = (ids: string[], transaction: Y.Transaction) => void

/**
 * A validated, incrementally updated view of one collection map: a change re-reads only the touched records,
 * so a 5,000-deal board stays cheap to keep current.
 */
export class LiveRecords<T> {
  private snapshot: LiveSnapshot<T>
  private readonly listeners = new Set<() => void>()
  private readonly changeListeners = new Set<RecordChangeListener>()
  private readonly stop: () => void

  constructor(
    private readonly map: RecordMap,
    private readonly schema: z.ZodType<T>,
  ) {
    const initial = new Map<string, T>()
    for (const r of readRecords(map, schema).records) initial.set((r as { id: string }).id, r)
    this.snapshot = { byId: initial, version: 0 }
    this.stop = observeRecords(map, (ids, tr) => this.apply(ids, tr))
  }

  private apply(ids: string[], transaction: Y.Transaction): void {
    const next = new Map(this.snapshot.byId)
    for (const id of ids) {
      const record = readRecord(this.map, id, this.schema)
      if (record === null) next.delete(id)
      else next.set(id, record)
    }
    this.snapshot = { byId: next, version: this.snapshot.version + 1 }
    for (const l of this.changeListeners) l(ids, transaction)
    for (const l of this.listeners) l()
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  onChange(listener: RecordChangeListener): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  getSnapshot = (): LiveSnapshot<T> => this.snapshot

  destroy(): void {
    this.stop()
    this.listeners.clear()
    this.changeListeners.clear()
  }
}
