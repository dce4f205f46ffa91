import * as Y from 'yjs'
import { Prng } from './prng.ts'

interface Message {
  from: number
  to: number
  update: Uint8Array
}

/**
 * An in-memory network of N Yjs replicas for convergence tests, deterministic from its seed (like
 * yjs' tests/testHelper.js). Every local update is queued to every online peer; `deliverOne` delivers a
 * random pending message (any order, so replicas also see updates out of causal order); a replica that
 * goes offline loses its in-flight messages and catches up on reconnect through state-vector sync, as a
 * provider does. Replica i has client id i + 1, so conflict resolution is reproducible too.
 */
export class TestConnector {
  readonly docs: Y.Doc[]
  readonly prng: Prng
  private readonly online: boolean[]
  private queue: Message[] = []

  constructor(replicas: number, seed: number) {
    this.prng = new Prng(seed)
    this.docs = []
    this.online = []
    for (let i = 0; i < replicas; i++) {
      const doc = new Y.Doc({ gc: true })
      doc.clientID = i + 1
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === this) return
        this.broadcast(i, update)
      })
      this.docs.push(doc)
      this.online.push(true)
    }
  }

  doc(index: number): Y.Doc {
    const doc = this.docs[index]
    if (doc === undefined) throw new Error(`no replica ${index}`)
    return doc
  }

  isOnline(index: number): boolean {
    return this.online[index] === true
  }

  pending(): number {
    return this.queue.length
  }

  private broadcast(from: number, update: Uint8Array): void {
    if (!this.isOnline(from)) return
    for (let to = 0; to < this.docs.length; to++) {
      if (to !== from && this.isOnline(to)) this.queue.push({ from, to, update })
    }
  }

  /** Delivers one random pending message; returns false when nothing is pending. */
  deliverOne(): boolean {
    if (this.queue.length === 0) return false
    const index = this.prng.int(this.queue.length)
    const [message] = this.queue.splice(index, 1)
    if (message !== undefined) Y.applyUpdate(this.doc(message.to), message.update, this)
    return true
  }

  /** Delivers up to `count` random pending messages. */
  deliver(count: number): void {
    for (let i = 0; i < count && this.deliverOne(); i++);
  }

  /** Takes a replica offline: its in-flight messages, to and from it, are lost. */
  disconnect(index: number): void {
    this.online[index] = false
    this.queue = this.queue.filter((m) => m.from !== index && m.to !== index)
  }

  /** Brings a replica back: it and every online peer exchange what the other lacks (state-vector sync). */
  reconnect(index: number): void {
    if (this.isOnline(index)) return
    this.online[index] = true
    const doc = this.doc(index)
    for (let peer = 0; peer < this.docs.length; peer++) {
      if (peer === index || !this.isOnline(peer)) continue
      const other = this.doc(peer)
      const toPeer = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(other))
      const toMe = Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc))
      this.queue.push({ from: index, to: peer, update: toPeer }, { from: peer, to: index, update: toMe })
    }
  }

  /** Randomly disconnects or reconnects one replica. */
  toggleRandom(): void {
    const index = this.prng.int(this.docs.length)
    if (this.isOnline(index)) this.disconnect(index)
    else this.reconnect(index)
  }

  /** Reconnects every replica and delivers every pending message (in random order). */
  flushAll(): void {
    for (let i = 0; i < this.docs.length; i++) this.reconnect(i)
    while (this.deliverOne());
  }
}

/** JSON with object keys sorted at every level (Y.Map key order depends on each replica's history). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  )
}

/**
 * Why replicas differ, or `[]` when they have converged. Byte-identical `encodeStateAsUpdate` is NOT a
 * sound criterion: the encoding depends on how each replica happened to split and merge items, so equal
 * documents may encode differently. Robust instead: equal snapshots (state vector = same insertions,
 * delete set = same deletions, via `Y.equalSnapshots`) and equal canonical JSON of every shared type.
 * `mapNames` are touched with `getMap` first so that every replica has them typed.
 */
export function convergenceReport(docs: readonly Y.Doc[], mapNames: readonly string[] = []): string[] {
  const problems: string[] = []
  const [first, ...rest] = docs
  if (first === undefined) return problems
  const content = (doc: Y.Doc): string => {
    for (const name of mapNames) doc.getMap(name)
    const out: Record<string, unknown> = {}
    for (const [name, type] of doc.share) out[name] = type.toJSON()
    return canonicalJson(out)
  }
  const expected = content(first)
  const expectedSnapshot = Y.snapshot(first)
  rest.forEach((doc, i) => {
    if (!Y.equalSnapshots(Y.snapshot(doc), expectedSnapshot)) {
      problems.push(`replica ${i + 1}: state vector or delete set differs from replica 0`)
    }
    if (content(doc) !== expected) problems.push(`replica ${i + 1}: content differs from replica 0`)
  })
  return problems
}
