import { Server } from '@hocuspocus/server'

/** Baseline 1: a bare Hocuspocus 3.4.3 server with no extensions, on 127.0.0.1 and the port from PORT. */
const port = Number(process.env.PORT ?? '0')
const server = new Server({ port, address: '127.0.0.1', quiet: true })
await server.listen()
console.log(`ready ${server.address.port}`)
