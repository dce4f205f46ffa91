/**
 * Issue #12 prototype: server memory with 1,000 clients across 100 record-sized documents (the bench shape).
 * A bare Hocuspocus 3.4.3 server in its own process (`tests/bench/servers/bareHocuspocus.ts`, no Rapport extensions:
 * a floor, not Rapport's figure); real providers, one socket each, in this process; every client edits once.
 *
 *   pnpm --filter @rapport/tests exec tsx bench/prototype/clientsRss.ts [clients=1000] [documents=100]
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import * as Y from 'yjs'
import { NodeWebSocket } from '../../integration/helpers/NodeWebSocket.ts'
import { startBareHocuspocus } from '../lib/servers.ts'
import { waitUntil } from '../lib/stats.ts'
import { kb, printTable } from './report.ts'

async function main(): Promise<void> {
  const clients = Number(process.argv[2] ?? 1000)
  const documents = Number(process.argv[3] ?? 100)
  const server = await startBareHocuspocus()
  try {
    const idle = await server.memory()
    const open = Array.from({ length: clients }, (_, i) => {
      const doc = new Y.Doc()
      const socket = new HocuspocusProviderWebsocket({ url: server.wsUrl, WebSocketPolyfill: NodeWebSocket })
      const provider = new HocuspocusProvider({
        websocketProvider: socket,
        name: `W/contact/con_${i % documents}`,
        document: doc,
      })
      provider.attach()
      return { doc, socket, provider }
    })
    await waitUntil(() => open.every((c) => c.provider.isSynced), 120_000, 'every client synced', 10)
    for (const [i, c] of open.entries()) {
      c.doc.transact(() => c.doc.getMap('record').set(`field${i % 10}`, `value from client ${i}`))
    }
    await waitUntil(
      () => open.every((c) => !c.provider.hasUnsyncedChanges),
      120_000,
      'every edit acknowledged',
      10,
    )
    const loaded = await server.memory()
    printTable(
      `Server memory (after a full GC): ${clients} clients across ${documents} record documents, one edit each`,
      ['server', 'RSS idle', 'RSS with clients', 'heap used with clients'],
      [['bare Hocuspocus 3.4.3', kb(idle.rss), kb(loaded.rss), kb(loaded.heapUsed)]],
    )
    for (const c of open) {
      c.provider.destroy()
      c.socket.destroy()
    }
  } finally {
    await server.stop()
  }
}

await main()
