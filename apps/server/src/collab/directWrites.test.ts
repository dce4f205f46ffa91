import { type Extension, Hocuspocus } from '@hocuspocus/server'
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { writeDocument } from './directWrites.ts'

/*
 * The race behind "a REST write is in the very next REST list" failing under load (the PATCH answered the old value):
 * Hocuspocus hands a direct connection the loaded document, and its unload (the previous REST call's connection just
 * closed) can finish before the new connection counts. A write to that destroyed document reaches nobody: the
 * projection and the index stopped following it, and it is never stored. Forced here without any timing: the first
 * `createDocument` finishes the document's unload before handing it out.
 */

/** Follows each loaded document as the projection does: its updates count until it is unloaded. */
function follower() {
  const seen: unknown[] = []
  const stops = new Map<string, () => void>()
  const extension: Extension = {
    async afterLoadDocument({ documentName, document }) {
      const handler = () => seen.push(document.getMap('probe').get('value'))
      document.on('update', handler)
      stops.set(documentName, () => document.off('update', handler))
    },
    async afterUnloadDocument({ documentName }) {
      stops.get(documentName)?.()
      stops.delete(documentName)
    },
  }
  return { seen, extension }
}

describe('writeDocument', () => {
  it('writes to the live document when the one it was handed finished unloading before the connection counted', async () => {
    const { seen, extension } = follower()
    const hocuspocus = new Hocuspocus({ quiet: true, extensions: [extension] })
    const name = 'ws_direct/account/acc_race'
    const original = hocuspocus.createDocument.bind(hocuspocus)
    let raced = 0
    let unloaded: Y.Doc | null = null
    hocuspocus.createDocument = async (...args: Parameters<Hocuspocus['createDocument']>) => {
      const document = await original(...args)
      if (raced === 0) {
        raced += 1
        unloaded = document
        // No connection counts yet: the unload runs to its end (removed, destroyed, afterUnloadDocument).
        await hocuspocus.unloadDocument(document)
        expect(hocuspocus.documents.has(name)).toBe(false)
      }
      return document
    }
    let written: Y.Doc | null = null
    await writeDocument(hocuspocus, name, 'rest', null, (doc, origin) => {
      written = doc
      doc.transact(() => doc.getMap('probe').set('value', 'written'), origin)
    })
    expect(raced).toBe(1)
    expect(written).not.toBeNull()
    expect(written).not.toBe(unloaded)
    // The loaded document's followers (projection, index, persistence) saw the write.
    expect(seen).toEqual(['written'])
  })
})
