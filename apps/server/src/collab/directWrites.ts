import type { Hocuspocus } from '@hocuspocus/server'
import type * as Y from 'yjs'
import type { SystemContext } from '../auth/collabContext.ts'

/**
 * Why the server writes to a document; audit skips its own, repair and seed writes. `automation` is a workflow
 * side effect (handoff draft, notification, account move): audited like `rest`, labelled as automation.
 */
export type ServerWriteReason = 'rest' | 'automation' | 'audit' | 'repair' | 'seed'

/**
 * The Yjs transaction origin of every server write. Hocuspocus hands the origin to `onChange` as the
 * "connection" and reads `.context` from it, so the origin carries the same context a direct connection has.
 */
export interface ServerOrigin {
  readonly server: true
  readonly reason: ServerWriteReason
  readonly context: SystemContext
}

export interface Actor {
  userId: string
  name: string
}

export function serverOrigin(reason: ServerWriteReason, actor?: Actor | null): ServerOrigin {
  return { server: true, reason, context: actor ? { system: true, actor } : { system: true } }
}

export function isServerOrigin(origin: unknown): origin is ServerOrigin {
  return typeof origin === 'object' && origin !== null && (origin as { server?: unknown }).server === true
}

type DirectConnection = Awaited<ReturnType<Hocuspocus['openDirectConnection']>>

/**
 * A direct connection to the LIVE document `name`. Hocuspocus hands out the loaded document while its unload is in
 * progress (the last connection just closed); should the unload finish before the connection counts, the connection
 * holds a destroyed document that is no longer stored, and a write to it is lost (a per-record document closed by one
 * REST call and written by the next one). Once the connection counts, an unload in progress keeps the document (it
 * re-checks the connections), so a connection whose document is still the loaded one is safe; otherwise it is closed
 * and opened again on the reloaded document.
 */
export async function openLiveDirectConnection(
  hocuspocus: Hocuspocus,
  name: string,
  context: SystemContext,
): Promise<DirectConnection> {
  for (let attempt = 0; ; attempt++) {
    const connection = await hocuspocus.openDirectConnection(name, context)
    if (hocuspocus.documents.get(name) === connection.document || attempt >= 20) return connection
    await connection.disconnect()
    await hocuspocus.unloadingDocuments.get(name)
  }
}

/**
 * Runs `write(doc, origin)` on document `name` through a Hocuspocus direct connection, so every open client gets
 * the change at once and it is stored like any client edit. The write must do its changes in ONE
 * `doc.transact(fn, origin)` (model commands do). Returns what `write` returns; errors it throws propagate.
 */
export async function writeDocument<T>(
  hocuspocus: Hocuspocus,
  name: string,
  reason: ServerWriteReason,
  actor: Actor | null,
  write: (doc: Y.Doc, origin: ServerOrigin) => T,
): Promise<T> {
  const origin = serverOrigin(reason, actor)
  const connection = await openLiveDirectConnection(hocuspocus, name, origin.context)
  try {
    let result: { value: T } | null = null
    await connection.transact((doc) => {
      result = { value: write(doc, origin) }
    })
    if (!result) throw new Error('direct write did not run')
    return (result as { value: T }).value
  } finally {
    await connection.disconnect()
  }
}
