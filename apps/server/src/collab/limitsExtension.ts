import type { connectedPayload, Extension } from '@hocuspocus/server'
import * as decoding from 'lib0/decoding'
import type WebSocket from 'ws'
import type { Logger } from '../log/logger.ts'

export interface LimitsOptions {
  logger: Logger
  /** Sustained messages per second allowed per connection (token bucket refill rate; default 300). */
  messagesPerSecond?: number
  /** Burst size of the bucket (default 2 × messagesPerSecond). */
  burst?: number
  /** Distinct document names one connection may address (default 200). */
  maxDocumentsPerConnection?: number
  /** Largest frame accepted (default 1 MiB); `ws` closes the connection with 1009 beyond it. */
  maxPayload?: number
  /** A socket with no authenticated document this long after the upgrade is closed (default 15000 ms). */
  authDeadlineMs?: number
  now?: () => number
}

export interface LimitsStats {
  rejectedFrames: number
  closedForLimits: number
}

export interface LimitsExtension extends Extension {
  readonly maxPayload: number
  /**
   * Guard one raw socket BEFORE it is handed to Hocuspocus: frames that are not binary, not a Hocuspocus
   * message header, beyond the rate or the document budget are dropped and the socket is closed, so Hocuspocus
   * never parses them.
   */
  guard(socket: WebSocket): void
  stats(): LimitsStats
}

/** Close codes of the limits (4xxx: application range; 1003/1008 from RFC 6455). */
export const LIMIT_CLOSE = {
  unsupportedData: { code: 1003, reason: 'Binary frames only' },
  malformed: { code: 1008, reason: 'Malformed message' },
  rate: { code: 4429, reason: 'Too many messages' },
  documents: { code: 4430, reason: 'Too many documents' },
  authDeadline: { code: 4401, reason: 'Unauthorized' },
} as const

/** Longer than any name `docName` builds; a longer header is garbage. */
const MAX_NAME_LENGTH = 256

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The document name of a frame when its header is well formed, else null. A well-formed name that is not a Rapport
 * document name passes: the auth extension refuses that one document (permission denied) without closing the socket,
 * so one bad name cannot take down the other documents a client shares the socket with.
 */
const readHeader = (data: Uint8Array): string | null => {
  try {
    const decoder = decoding.createDecoder(data)
    const documentName = utf8.decode(decoding.readVarUint8Array(decoder))
    decoding.readVarUint(decoder)
    return documentName.length <= MAX_NAME_LENGTH ? documentName : null
  } catch {
    return null
  }
}

const asBytes = (data: unknown): Uint8Array | null => {
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) return Buffer.concat(data)
  return null
}

/**
 * Per-connection limits. Hocuspocus v3 parses every frame in its own `message` listener and re-emits queued
 * frames after authentication; `guard` wraps the socket's `emit` so a frame is checked once, and a rejected frame
 * never reaches Hocuspocus (which would log and keep unauthenticated queues around).
 */
export const createLimitsExtension = (options: LimitsOptions): LimitsExtension => {
  const log = options.logger
  const rate = options.messagesPerSecond ?? 300
  const burst = options.burst ?? rate * 2
  const maxDocuments = options.maxDocumentsPerConnection ?? 200
  const maxPayload = options.maxPayload ?? 1024 * 1024
  const authDeadlineMs = options.authDeadlineMs ?? 15_000
  const now = options.now ?? Date.now
  const authenticated = new WeakSet<object>()
  const counters: LimitsStats = { rejectedFrames: 0, closedForLimits: 0 }

  const guard = (socket: WebSocket): void => {
    const accepted = new WeakSet<object>()
    const documents = new Set<string>()
    let tokens = burst
    let last = now()
    let closed = false
    const reject = (why: { code: number; reason: string }): false => {
      counters.rejectedFrames += 1
      if (!closed) {
        closed = true
        counters.closedForLimits += 1
        log.warn('closing connection', { reason: why.reason })
        socket.close(why.code, why.reason)
        // A peer that ignores the close handshake is cut off.
        setTimeout(() => socket.terminate(), 1000).unref?.()
      }
      return false
    }
    // Unauthenticated sockets cost a timer and a few sets, and are cut off at the deadline.
    const deadline = setTimeout(() => {
      if (!authenticated.has(socket)) reject(LIMIT_CLOSE.authDeadline)
    }, authDeadlineMs)
    deadline.unref?.()
    socket.once('close', () => clearTimeout(deadline))
    const originalEmit = socket.emit.bind(socket)
    socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
      if (event !== 'message') return originalEmit(event, ...args)
      const [data, isBinary] = args
      // Hocuspocus re-emits frames it queued during authentication: they were checked already.
      if (typeof data === 'object' && data !== null && accepted.has(data)) return originalEmit(event, ...args)
      if (closed) return false
      if (isBinary === false) return reject(LIMIT_CLOSE.unsupportedData)
      const bytes = asBytes(data)
      if (!bytes) return reject(LIMIT_CLOSE.unsupportedData)
      const at = now()
      tokens = Math.min(burst, tokens + ((at - last) / 1000) * rate)
      last = at
      if (tokens < 1) return reject(LIMIT_CLOSE.rate)
      tokens -= 1
      const documentName = readHeader(bytes)
      if (documentName === null) return reject(LIMIT_CLOSE.malformed)
      if (!documents.has(documentName)) {
        if (documents.size >= maxDocuments) return reject(LIMIT_CLOSE.documents)
        documents.add(documentName)
      }
      accepted.add(bytes)
      return originalEmit(event, bytes, ...args.slice(1))
    }) as typeof socket.emit
  }

  return {
    extensionName: 'limits',
    maxPayload,
    guard,
    async connected({ connection }: connectedPayload) {
      authenticated.add(connection.webSocket)
    },
    stats: () => ({ ...counters }),
  }
}
