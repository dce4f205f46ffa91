import WebSocket from 'ws'

/** lib0-compatible varuint / varstring encoding, enough to hand-craft Hocuspocus frames. */
export const varUint = (value: number): number[] => {
  const out: number[] = []
  let rest = value
  while (rest > 0x7f) {
    out.push(0x80 | (rest & 0x7f))
    rest = Math.floor(rest / 128)
  }
  out.push(rest)
  return out
}

export const varString = (text: string): number[] => {
  const bytes = [...Buffer.from(text, 'utf8')]
  return [...varUint(bytes.length), ...bytes]
}

/** A Hocuspocus frame: document name, message type, then the body bytes. */
export const frame = (documentName: string, type: number, body: number[] | Uint8Array = []): Uint8Array =>
  Uint8Array.from([...varString(documentName), ...varUint(type), ...body])

/** The auth message a provider sends first (type 2, token submessage 0). */
export const authFrame = (documentName: string, token: string): Uint8Array =>
  frame(documentName, 2, [...varUint(0), ...varString(token)])

/** mulberry32: a tiny seeded PRNG, so fuzz runs are reproducible. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export interface RawSocket {
  ws: WebSocket
  /** Resolves with the close code once the socket is closed (by either side). */
  closed: Promise<number>
  messages: Uint8Array[]
}

/** A raw `ws` client on the collab endpoint, opened. */
export const openRaw = (wsUrl: string): Promise<RawSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl)
    const messages: Uint8Array[] = []
    const closed = new Promise<number>((done) => ws.once('close', (code) => done(code)))
    ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)))
    ws.once('open', () => resolve({ ws, closed, messages }))
    ws.once('error', reject)
  })
