import { migrateFragmentToText } from '@rapport/model'
import type * as Y from 'yjs'
import { notesFieldsOf, textFieldOf } from './roomNotes.ts'

/**
 * Moves every notes field of an account room (`notes`, each `brief:<handoffId>`) from its y-prosemirror fragment
 * to notes text format v2 (`notesText`, `briefText:<handoffId>`) with `migrateFragmentToText`, in ONE transaction
 * with `origin`. Idempotent: a field whose text already holds content, or whose fragment is empty, is left alone;
 * the fragments are not cleared (old clients may still read them). Returns the fragment names it migrated.
 * NOT called anywhere yet (issue #10: the room migration is the next step). Call it with an INTERNAL server origin:
 * the copied mentions are new items, and only a user's change notifies (automation/watchers.ts `userChange`).
 */
export function migrateRoomNotes(doc: Y.Doc, origin: unknown = null): string[] {
  const migrated: string[] = []
  doc.transact(() => {
    for (const field of notesFieldsOf(doc)) {
      const textField = textFieldOf(field)
      if (textField === null || !doc.share.has(field)) continue
      if (migrateFragmentToText(doc.getXmlFragment(field), doc.getText(textField), { origin }))
        migrated.push(field)
    }
  }, origin)
  return migrated
}
