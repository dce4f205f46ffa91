import { WebSocketServer } from 'ws'

/**
 * The latency floor: a bare `ws` server on 127.0.0.1 and the port from PORT. Every binary message from one
 * socket is forwarded to all other sockets; nothing else (no Yjs, no document, no auth).
 */
const port = Number(process.env.PORT ?? '0')
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false })
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (!isBinary) return
    for (const other of wss.clients) {
      if (other !== socket && other.readyState === other.OPEN) other.send(data, { binary: true })
    }
  })
})
wss.on('listening', () => console.log(`ready ${port}`))
