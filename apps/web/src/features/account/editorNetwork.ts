import { TestConnector } from '@rapport/model'
import { Editor, type JSONContent } from '@tiptap/core'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import StarterKit from '@tiptap/starter-kit'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { mentionExtension } from '../handoff/mentionExtension.ts'
import { NotesExitAtEnd } from './notesText/exitAtEnd.ts'
import { NotesTextCollaboration } from './notesText/NotesTextCollaboration.ts'
import { notesCodec } from './notesText/notesCodec.ts'

/** The fragment the notes editor is bound to in the tests (any name works; the app uses `notes`). */
export const NOTES_FIELD = 'notes'
/** The Y.Text the editors are bound to with `binding: 'text'` (design 2 of #10). */
export const NOTES_TEXT_FIELD = 'notesText'

/**
 * How the editors are bound to Yjs: `text` is production's (`NotesTextCollaboration` on one `Y.Text` with block
 * markers, what `CollaborativeEditor` mounts), `fragment` is the former binding (Collaboration + CollaborationCaret
 * on the `Y.XmlFragment`), kept for the regression tests that document why the notes moved off it.
 */
export type NotesBinding = 'fragment' | 'text'

const MEMBERS = [
  { userId: 'u-sam', name: 'Sam' },
  { userId: 'u-riley', name: 'Riley' },
]

/**
 * Test support: N real Tiptap editors with the notes editor's extensions (StarterKit without undoRedo,
 * Collaboration, CollaborationCaret on a real y-protocols Awareness, mentions), each on its own Y.Doc,
 * connected over the seeded in-memory `TestConnector` (random delivery order, disconnects). Awareness
 * updates are relayed at once, so every editor also renders the others' carets. Needs a DOM (happy-dom).
 * With `binding: 'text'` the editors use NotesTextCollaboration (its own carets) on the Y.Text `notesText` instead.
 */
export class EditorNetwork {
  readonly net: TestConnector
  readonly editors: Editor[] = []
  private readonly awareness: Awareness[] = []
  private keyCount = 0

  constructor(
    replicas: number,
    seed: number,
    readonly binding: NotesBinding = 'fragment',
  ) {
    this.net = new TestConnector(replicas, seed)
    this.net.docs.forEach((doc, i) => {
      const awareness = new Awareness(doc)
      this.awareness.push(awareness)
      const element = document.createElement('div')
      document.body.append(element)
      const editor = new Editor({
        element,
        extensions: [
          // The trailing node appends an empty paragraph after a last list/heading in every editor that sees it;
          // on the Y.Text binding each replica would write its own (N paragraphs, and markers landing inside text
          // typed at the end meanwhile), so it is off there: the wiring step must offer the affordance otherwise.
          StarterKit.configure({ undoRedo: false, ...(binding === 'text' ? { trailingNode: false } : {}) }),
          ...(binding === 'fragment'
            ? [
                Collaboration.configure({ document: doc, field: NOTES_FIELD }),
                CollaborationCaret.configure({
                  provider: { awareness },
                  user: { name: `User ${i}`, color: '#3366ff' },
                }),
              ]
            : [
                NotesTextCollaboration.configure({
                  text: doc.getText(NOTES_TEXT_FIELD),
                  codec: notesCodec,
                  awareness,
                  user: { name: `User ${i}`, color: '#3366ff' },
                  // seeded container keys, so a run of the property is the same every time
                  newKey: () => `r${i}k${this.keyCount++}`,
                }),
                NotesExitAtEnd,
              ]),
          mentionExtension(() => MEMBERS),
        ],
      })
      this.editors.push(editor)
    })
    this.awareness.forEach((awareness, from) => {
      awareness.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
        if (origin === 'relay') return
        const changed = [...(added ?? []), ...(updated ?? []), ...(removed ?? [])]
        const update = encodeAwarenessUpdate(awareness, changed)
        this.awareness.forEach((other, to) => {
          if (to !== from) applyAwarenessUpdate(other, update, 'relay')
        })
      })
    })
  }

  editor(index: number): Editor {
    const editor = this.editors[index]
    if (editor === undefined) throw new Error(`no editor ${index}`)
    return editor
  }

  /** Every editor's ProseMirror document as JSON. */
  json(): JSONContent[] {
    return this.editors.map((e) => e.getJSON())
  }

  /** Each editor's paragraphs (every text block) as plain text, in document order. */
  blocks(index: number): string[] {
    const out: string[] = []
    this.editor(index).state.doc.descendants((node) => {
      if (node.isTextblock) {
        out.push(node.textContent)
        return false
      }
      return true
    })
    return out
  }

  destroy(): void {
    for (const editor of this.editors) {
      editor.view.dom.parentElement?.remove()
      editor.destroy()
    }
    for (const awareness of this.awareness) awareness.destroy()
    for (const doc of this.net.docs) doc.destroy()
  }
}
