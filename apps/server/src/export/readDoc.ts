import type { Hocuspocus } from '@hocuspocus/server'
import { type DocRef, docName } from '@rapport/model'
import type * as Y from 'yjs'

/**
 * Reads the server's copy of document `ref` (loading it when no one has it open, unloading it again after) and
 * returns what `read` makes of it. No write: a read of a document that does not exist sees an empty one.
 */
export async function readDocument<T>(
  hocuspocus: Hocuspocus,
  ref: DocRef,
  read: (doc: Y.Doc) => T,
): Promise<T> {
  const name = docName(ref)
  const connection = await hocuspocus.openDirectConnection(name, { system: true })
  try {
    if (!connection.document) throw new Error(`document ${name} did not load`)
    return read(connection.document)
  } finally {
    await connection.disconnect()
  }
}
