import type { BrowserContext, Page } from 'playwright-core'

type TrackedSocket = WebSocket & { __drop(): boolean }
type SocketWindow = Window & { __rapportSockets?: TrackedSocket[] }

const TRACK_SOCKETS = `(() => {
  const Native = window.WebSocket
  const sockets = []
  window.__rapportSockets = sockets
  window.WebSocket = class TrackedWebSocket extends Native {
    constructor(url, protocols) {
      super(url, protocols)
      this.__dropped = false
      // Registered before the app's handlers: once dropped, the socket's real late events are swallowed.
      const swallow = (event) => {
        if (this.__dropped && event.isTrusted) event.stopImmediatePropagation()
      }
      for (const type of ['open', 'message', 'error', 'close']) this.addEventListener(type, swallow)
      sockets.push(this)
    }
    /** Like a lost network: the app sees an abnormal close (1006) at once, whatever the close handshake does. */
    __drop() {
      if (this.__dropped || this.readyState === Native.CLOSED) return false
      this.__dropped = true
      try { this.close(4000, 'e2e offline') } catch {}
      this.dispatchEvent(new CloseEvent('close', { code: 1006, reason: 'e2e offline', wasClean: false }))
      return true
    }
  }
})()`

/**
 * Takes a browser context off the network and back. `context.setOffline(true)` blocks new requests and WebSocket
 * handshakes but (in Chromium 156) leaves open WebSockets alive, and a close handshake
 * cannot finish offline (the socket sits in CLOSING), so going offline also drops every socket the page opened: an
 * init script records them, and a drop delivers an abnormal close (1006) to the app at once and swallows the socket's
 * later events. The app then retries, which the offline mode refuses until `goOnline`.
 */
export class NetworkSwitch {
  private constructor(readonly context: BrowserContext) {}

  /** Install before the first page of the context loads the app. */
  static async install(context: BrowserContext): Promise<NetworkSwitch> {
    // Plain JS source: a serialized function would carry the TS transpiler's helpers (`__name`) into the page.
    await context.addInitScript({ content: TRACK_SOCKETS })
    return new NetworkSwitch(context)
  }

  async goOffline(page: Page): Promise<void> {
    await this.context.setOffline(true)
    const closed = await page.evaluate(() => {
      const sockets = (window as SocketWindow).__rapportSockets
      if (!sockets) return -1
      return sockets.filter((s) => s.__drop()).length
    })
    if (closed < 0) throw new Error('NetworkSwitch.install must run before the page loads the app')
  }

  async goOnline(): Promise<void> {
    await this.context.setOffline(false)
  }
}
