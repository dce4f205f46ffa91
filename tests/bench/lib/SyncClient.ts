import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'

/**
 * A minimal raw y-protocols sync client used for EVERY server in the benchmark, so the client cost is
 * identical and only the framing differs:
 * - `hocuspocus`: each message is prefixed with the document name, and the first message is an Auth
 *   message carrying the token (empty for the bare server); one socket per client.
 * - `y-websocket`: the document name is the URL path and messages carry no prefix, no auth.
 * No awareness is sent (both servers then skip awareness fan-out equally).
 */
export type Protocol = 'hocuspocus' | 'y-websocket'

export type SyncClientOptions = {
  protocol: Protocol
  /** ws://127.0.0.1:port/path — for y-websocket the document name is appended. */
  url: string
  docName: string
  token?: string
  timeoutMs?: number
}

const HP_SYNC = 0
const HP_AWARENESS = 1
const HP_AUTH = 2
const HP_SYNC_REPLY = 4
const HP_STATELESS = 5
const HP_SYNC_STATUS = 8
const AUTH_DENIED = 1
const AUTH_OK = 2
const REMOTE = Symbol('remote')

export class SyncClient {
  readonly doc = new Y.Doc()
  bytesReceived = 0
  bytesSent = 0
  /** Called on every Hocuspocus SyncStatus message: the server acknowledging one of this client's updates. */
  onAcknowledged: (() => void) | null = null
  private ws: WebSocket | null = null
  private readonly opts: SyncClientOptions

  constructor(opts: SyncClientOptions) {
    this.opts = opts
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return
      const e = this.frame()
      syncProtocol.writeUpdate(e, update)
      this.send(encoding.toUint8Array(e))
    })
  }

  /** Opens the socket and resolves once the first sync with the server is complete. */
  connect(): Promise<{ ms: number; bytes: number }> {
    const { protocol, url, docName, timeoutMs = 20_000 } = this.opts
    const started = performance.now()
    const target = protocol === 'y-websocket' ? `${url.replace(/\/$/, '')}/${docName}` : url
    const ws = new WebSocket(target, { perMessageDeflate: false })
    ws.binaryType = 'nodebuffer'
    this.ws = ws
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`sync timeout after ${timeoutMs} ms for ${docName}`))
        ws.terminate()
      }, timeoutMs)
      const done = (err?: Error) => {
        clearTimeout(timer)
        if (err) reject(err)
        else resolve({ ms: performance.now() - started, bytes: this.bytesReceived })
      }
      ws.on('open', () => {
        if (protocol === 'hocuspocus') {
          const auth = encoding.createEncoder()
          encoding.writeVarString(auth, docName)
          encoding.writeVarUint(auth, HP_AUTH)
          encoding.writeVarUint(auth, 0)
          encoding.writeVarString(auth, this.opts.token ?? '')
          this.send(encoding.toUint8Array(auth))
        }
        const e = this.frame()
        syncProtocol.writeSyncStep1(e, this.doc)
        this.send(encoding.toUint8Array(e))
      })
      ws.on('message', (data: Buffer) => {
        this.bytesReceived += data.byteLength
        try {
          if (this.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))) done()
        } catch (err) {
          done(err as Error)
        }
      })
      ws.on('error', (err) => done(err))
      ws.on('close', (code, reason) => done(new Error(`closed ${code} ${reason.toString()}`)))
    })
  }

  close(): Promise<void> {
    const ws = this.ws
    this.ws = null
    this.doc.destroy()
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate()
        resolve()
      }, 2_000)
      ws.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      ws.close()
    })
  }

  private frame(): encoding.Encoder {
    const e = encoding.createEncoder()
    if (this.opts.protocol === 'hocuspocus') encoding.writeVarString(e, this.opts.docName)
    encoding.writeVarUint(e, HP_SYNC)
    return e
  }

  private send(msg: Uint8Array): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return
    this.bytesSent += msg.byteLength
    this.ws.send(msg)
  }

  /** Handles one message; returns true when it completed the initial sync (SyncStep2 received). */
  private receive(msg: Uint8Array): boolean {
    const d = decoding.createDecoder(msg)
    if (this.opts.protocol === 'hocuspocus') decoding.readVarString(d)
    const type = decoding.readVarUint(d)
    switch (type) {
      case HP_SYNC:
      case HP_SYNC_REPLY: {
        const reply = this.frame()
        const before = encoding.length(reply)
        const syncType = syncProtocol.readSyncMessage(d, reply, this.doc, REMOTE)
        if (encoding.length(reply) > before) this.send(encoding.toUint8Array(reply))
        return syncType === syncProtocol.messageYjsSyncStep2
      }
      case HP_AWARENESS:
        return false
      case HP_AUTH: {
        if (this.opts.protocol !== 'hocuspocus') return false
        const authType = decoding.readVarUint(d)
        if (authType === AUTH_DENIED) throw new Error(`permission denied: ${decoding.readVarString(d)}`)
        if (authType !== AUTH_OK) return false
        return false
      }
      case HP_SYNC_STATUS:
        this.onAcknowledged?.()
        return false
      case HP_STATELESS:
        return false
      default:
        return false
    }
  }
}

/** Connects clients with bounded concurrency so hundreds of sockets do not stampede the server. */
export async function connectAll(
  clients: SyncClient[],
  concurrency = 16,
): Promise<Array<{ ms: number; bytes: number }>> {
  const out: Array<{ ms: number; bytes: number }> = new Array(clients.length)
  let next = 0
  const worker = async () => {
    while (next < clients.length) {
      const i = next++
      const client = clients[i]
      if (client) out[i] = await client.connect()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker))
  return out
}
