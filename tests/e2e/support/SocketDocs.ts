import type { Page } from 'playwright-core'

/** Reads a lib0 varUint + UTF-8 string (the document name at the start of every Hocuspocus frame). */
const readDocName = (bytes: Uint8Array): string | null => {
  let length = 0
  let shift = 0
  let i = 0
  for (; i < bytes.length && i < 5; i++) {
    const byte = bytes[i] as number
    length += (byte & 0x7f) * 2 ** shift
    shift += 7
    if (byte < 0x80) break
  }
  const start = i + 1
  if (start + length > bytes.length) return null
  return Buffer.from(bytes.subarray(start, start + length)).toString('utf8')
}

/**
 * The names of the Yjs documents a page's WebSockets addressed (every frame the page SENT starts with the document
 * name): what the page opened or synced, observed from outside the app.
 */
export class SocketDocs {
  private readonly names = new Set<string>()

  private constructor(readonly page: Page) {
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => {
        if (typeof payload === 'string') return
        const name = readDocName(new Uint8Array(payload))
        if (name !== null) this.names.add(name)
      })
    })
  }

  /** Starts watching and reloads the page, so that its socket is a new one the watch sees from its first frame. */
  static async watch(page: Page): Promise<SocketDocs> {
    const docs = new SocketDocs(page)
    await page.reload()
    return docs
  }

  /** Every document name seen so far. */
  seen(): string[] {
    return [...this.names].sort()
  }

  has(name: string): boolean {
    return this.names.has(name)
  }
}
