import WebSocket from 'ws'

/**
 * `ws` for `@hocuspocus/provider` in Node. The provider 3.4 strips its listeners before closing a socket; closing
 * one that is still connecting makes `ws` emit an 'error' that, with no listener, becomes an uncaught exception.
 * A browser's WebSocket never throws there, so this socket swallows that event like a browser would.
 */
export class NodeWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args)
    this.on('error', () => {})
  }
}
