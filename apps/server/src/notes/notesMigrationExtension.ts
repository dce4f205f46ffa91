import type { Extension } from '@hocuspocus/server'
import {
  AUTHOR_RELAYS_MAX,
  type AuthorRelay,
  authorAt,
  authorsMap,
  NOTES_TEXT_FIELD,
  parseBriefTextField,
  parseDocName,
  readAuthors,
} from '@rapport/model'
import * as Y from 'yjs'
import { isCollabContext } from '../auth/collabContext.ts'
import { serverOrigin } from '../collab/directWrites.ts'
import type { Logger } from '../log/logger.ts'
import { migrateRoomNotes } from './migrateRoomNotes.ts'
import { liveNotesText, notesFieldOf, notesFieldsOf, textFieldOf } from './roomNotes.ts'

/** One character of a notes field and the Yjs item (clientID, clock) it is. */
interface CharId {
  char: string
  client: number
  clock: number
}

/** The characters of a y-prosemirror fragment in document order, each with its item id. */
function fragmentChars(fragment: Y.XmlFragment): CharId[] {
  const out: CharId[] = []
  const walk = (parent: Y.XmlFragment | Y.XmlElement): void => {
    for (const child of parent.toArray()) {
      if (child instanceof Y.XmlText) pushChars(child._start, out)
      else if (child instanceof Y.XmlElement) walk(child)
    }
  }
  walk(fragment)
  return out
}

/** The string characters of a Y.Text (markers and embeds are not characters), each with its item id. */
function textChars(text: Y.Text): CharId[] {
  const out: CharId[] = []
  pushChars(text._start, out)
  return out
}

function pushChars(start: Y.Item | null, out: CharId[]): void {
  for (let item = start; item !== null; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentString)) continue
    const str = item.content.str
    for (let i = 0; i < str.length; i++)
      out.push({ char: str[i] ?? '', client: item.id.client, clock: item.id.clock + i })
  }
}

/**
 * The relayed ranges that attribute the migrated characters (written by `client`) to the authors of the fragment
 * characters they were copied from: the migration copies each character once, in document order, so the two
 * sequences pair up one to one. Pairs up only while the characters agree; at most AUTHOR_RELAYS_MAX ranges (the
 * rest reads as the server's, uncoloured).
 */
function migratedRelays(doc: Y.Doc, pairs: Array<[CharId[], CharId[]]>, client: number): AuthorRelay[] {
  const authors = readAuthors(authorsMap(doc))
  const relays: AuthorRelay[] = []
  for (const [from, to] of pairs) {
    const n = Math.min(from.length, to.length)
    for (let i = 0; i < n; i++) {
      const source = from[i] as CharId
      const copy = to[i] as CharId
      if (source.char !== copy.char) break
      if (copy.client !== client) continue
      const entry = authors.get(source.client)
      const author = entry ? authorAt(entry, source.clock) : null
      if (!author?.userId) continue
      const last = relays.at(-1)
      if (last && last[2] === author.userId && last[3] === author.at && copy.clock >= last[1]) {
        last[1] = copy.clock + 1
        continue
      }
      if (relays.length >= AUTHOR_RELAYS_MAX) return relays
      relays.push([copy.clock, copy.clock + 1, author.userId, author.at])
    }
  }
  return relays
}

/** The fragment fields of a room whose fragment holds notes while their v2 text is still empty. */
function unmigratedFields(doc: Y.Doc): string[] {
  return notesFieldsOf(doc).filter((field) => {
    if (!doc.share.has(field) || liveNotesText(doc, field) !== null) return false
    try {
      return doc.getXmlFragment(field).length > 0
    } catch {
      return false
    }
  })
}

/**
 * Migrates a room's notes (`notes`, every `brief:<id>`) from the y-prosemirror fragments to notes text v2 (issue
 * #10, docs/schema.md §3.5.1), keeping who wrote what: the text is written by a scratch replica with a clientID of
 * its own, applied as ONE update with `origin`, and that clientID's `authors` entry (the server's, `userId: null`)
 * relays each migrated range to the author of the characters it was copied from, at their original time. Returns
 * the migrated fragment names (none when nothing needed it). Idempotent; the fragments stay as they were.
 */
export function migrateRoomNotesKeepingAuthors(doc: Y.Doc, origin: unknown, now: number): string[] {
  const fields = unmigratedFields(doc)
  if (fields.length === 0) return []
  let scratch = new Y.Doc()
  while (Y.getState(doc.store, scratch.clientID) > 0) scratch = new Y.Doc()
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc))
  const stateVector = Y.encodeStateVector(scratch)
  const migrated = migrateRoomNotes(scratch)
  const pairs: Array<[CharId[], CharId[]]> = []
  for (const field of migrated) {
    const textField = textFieldOf(field)
    if (textField === null) continue
    pairs.push([fragmentChars(scratch.getXmlFragment(field)), textChars(scratch.getText(textField))])
  }
  const relays = migratedRelays(scratch, pairs, scratch.clientID)
  const update = Y.encodeStateAsUpdate(scratch, stateVector)
  scratch.destroy()
  // Its own transaction: Yjs marks a transaction that applies an update as remote, and the server's own write of the
  // authors entry below must stay local (see RoomHistory.restore).
  Y.applyUpdate(doc, update, origin)
  doc.transact(() => {
    authorsMap(doc).set(String(scratch.clientID), {
      userId: null,
      at: now,
      marks: [[0, now]],
      ...(relays.length > 0 ? { relays } : {}),
    })
  }, origin)
  return migrated
}

const isRoom = (name: string): boolean => parseDocName(name)?.kind === 'account'

/**
 * Types the room's notes texts as `Y.Text` (`notesText`, and every `briefText:<id>` the room holds) when it loads. A
 * root a replica only received stays an untyped `AbstractType`, which calls no observers: the server's readers of
 * changed notes (the projection's notes events, the room history) would not see a client's edits to it. Only at load:
 * typing a root replaces its object in `doc.share`, and readers of the transaction that brought it (the mention
 * tracker matches `transaction.changed` against `doc.share`) would then miss it. New briefs are typed by the server
 * that writes them; the projection also reads untyped roots from `transaction.changed`.
 */
function typeNotesTexts(doc: Y.Doc): void {
  for (const [name, type] of doc.share) {
    if (type.constructor === Y.AbstractType && (name === NOTES_TEXT_FIELD || parseBriefTextField(name)))
      doc.getText(name)
  }
  if (!doc.share.has(NOTES_TEXT_FIELD)) doc.getText(NOTES_TEXT_FIELD)
}

/**
 * Notes text v2 for every account room (issue #10): the room's notes are migrated when the room loads, before any
 * connection syncs it, and again after a client wrote a fragment whose text is still empty (an outside client or a
 * tab from before the upgrade writing the first notes of a room). A client's write to a fragment whose text holds
 * the notes is not read by anyone (every reader reads the text): it is logged, and the workspace document's raised
 * `format` (4) tells such a tab to reload. Runs with the internal `repair` origin: the audit skips it and the copied
 * mentions notify no one.
 */
export function notesMigrationExtension(deps: { logger: Logger; now?: () => number }): Extension {
  const log = deps.logger.child('notes-migration')
  const now = deps.now ?? Date.now
  const origin = serverOrigin('repair')
  const listeners = new Map<string, () => void>()
  const migrate = (documentName: string, document: Y.Doc, when: string): void => {
    const fields = migrateRoomNotesKeepingAuthors(document, origin, now())
    if (fields.length > 0) log.info('migrated notes to notes text v2', { documentName, when, fields })
  }
  return {
    extensionName: 'rapport-notes-migration',
    async afterLoadDocument({ documentName, document }) {
      if (!isRoom(documentName)) return
      typeNotesTexts(document)
      migrate(documentName, document, 'load')
      const onUpdate = (_update: Uint8Array, txOrigin: unknown, _doc: Y.Doc, tr: Y.Transaction): void => {
        const context = (txOrigin as { context?: unknown } | null)?.context
        if (!isCollabContext(context)) return
        // Runs on every client update of a room (each keystroke): look only at the root fragments the transaction
        // changed (a change anywhere inside a fragment lists its root among the changed parent types), then name them.
        const written: string[] = []
        for (const type of tr.changedParentTypes.keys()) {
          if (!(type instanceof Y.XmlFragment) || type._item !== null) continue
          for (const [name, root] of document.share)
            if ((root as unknown) === type && notesFieldOf(name) === name) written.push(name)
        }
        if (written.length === 0) return
        const ignored = written.filter((field) => liveNotesText(document, field) !== null)
        if (ignored.length < written.length) migrate(documentName, document, 'update')
        if (ignored.length > 0)
          log.warn(
            'a client wrote a notes fragment the notes text replaced (a tab from before the upgrade?)',
            {
              documentName,
              userId: context.userId,
              fields: ignored,
            },
          )
      }
      listeners.get(documentName)?.()
      document.on('update', onUpdate)
      listeners.set(documentName, () => document.off('update', onUpdate))
    },
    async afterUnloadDocument({ documentName }) {
      listeners.get(documentName)?.()
      listeners.delete(documentName)
    },
  }
}
