// @vitest-environment happy-dom
import { Editor } from '@tiptap/core'
import { baseKeymap } from '@tiptap/pm/commands'
import { EditorState, TextSelection } from '@tiptap/pm/state'
import StarterKit from '@tiptap/starter-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { pressKey, typeText } from './editorInput.ts'
import { EditorNetwork, type NotesBinding } from './editorNetwork.ts'

/**
 * Enter with a selection that runs from the start of one paragraph to the start of a later one (a user in an empty
 * paragraph under a bold line selects back up to the start of the bold text and presses Enter). Deleting such a
 * selection removes the first paragraph whole (prosemirror-transform's `deleteRange` moves out of the start of both
 * blocks), and Tiptap's `splitBlock` then split at the old start mapped through that deletion — between two
 * paragraphs — which threw "Inserted content deeper than insertion position" (ueberdosis/tiptap#7734). Fixed by
 * `patches/@tiptap__core@3.31.3.patch`.
 */

let network: EditorNetwork | undefined
afterEach(() => {
  network?.destroy()
  network = undefined
})

/** Two editors on `binding`; the first types a bold line, presses Enter twice and the second editor catches up. */
function boldLineThenTwoEmpty(binding: NotesBinding): [Editor, Editor] {
  network = new EditorNetwork(2, 7, binding)
  const [a, b] = network.editors
  if (!a || !b) throw new Error('two editors')
  pressKey(a, 'b', { ctrlKey: true })
  typeText(a, 'bold')
  pressKey(a, 'b', { ctrlKey: true })
  pressKey(a, 'Enter')
  pressKey(a, 'Enter')
  network.net.flushAll()
  return [a, b]
}

function select(editor: Editor, anchor: number, head: number): void {
  editor.view.dispatch(editor.state.tr.setSelection(TextSelection.create(editor.state.doc, anchor, head)))
}

/** Where a text position sits: block index and offset in it. */
function caret(editor: Editor): [number, number] {
  const { $head } = editor.state.selection
  return [$head.index(0), $head.parentOffset]
}

describe('Enter over a selection from the start of one paragraph to the start of a later one', () => {
  describe.each(['fragment', 'text'] as const)('on the %s binding', (binding) => {
    it('a backward selection from the last empty paragraph up to the start of the bold line', () => {
      const [a, b] = boldLineThenTwoEmpty(binding)
      expect(network?.blocks(0)).toEqual(['bold', '', ''])
      expect(a.state.doc.firstChild?.firstChild?.marks.map((m) => m.type.name)).toEqual(['bold'])
      // <p><strong>bold</strong></p><p></p><p></p>: anchor in the last paragraph (9), head before "bold" (1)
      select(a, 9, 1)
      expect(a.state.selection.anchor).toBeGreaterThan(a.state.selection.head)

      expect(pressKey(a, 'Enter')).toBe(true)
      // the selection (the bold text and the paragraph breaks) is gone and the caret's block is split
      expect(network?.blocks(0)).toEqual(['', ''])
      expect(caret(a)).toEqual([1, 0])
      typeText(a, 'next')
      expect(network?.blocks(0)).toEqual(['', 'next'])
      network?.net.flushAll()
      expect(b.getJSON()).toEqual(a.getJSON())
    })

    it('a forward selection between the two empty paragraphs', () => {
      const [a, b] = boldLineThenTwoEmpty(binding)
      select(a, 7, 9)
      expect(pressKey(a, 'Enter')).toBe(true)
      expect(network?.blocks(0)).toEqual(['bold', '', ''])
      expect(caret(a)).toEqual([2, 0])
      network?.net.flushAll()
      expect(b.getJSON()).toEqual(a.getJSON())
    })
  })

  // The bisection: no Collaboration, no mentions, no bold — StarterKit alone throws; ProseMirror's own splitBlock
  // (baseKeymap's Enter), which splits where the deletion left the selection, does not, and the two now agree.
  it.each([
    ['<p><strong>bold</strong></p><p></p><p></p>', 9, 1],
    ['<p>one</p><p>two</p>', 6, 1],
    ['<p>one</p><p>two</p>', 1, 6],
    ['<h1>Title</h1><p>two</p>', 8, 1],
    ['<ul><li><p>one</p></li><li><p>two</p></li></ul>', 3, 10],
  ])(
    'a bare StarterKit editor on %s (anchor %i, head %i) does what ProseMirror does',
    (html, anchor, head) => {
      const editor = new Editor({
        element: document.createElement('div'),
        extensions: [StarterKit],
        content: html,
      })
      try {
        select(editor, anchor, head)
        const before = editor.state
        let expected: EditorState | undefined
        const handled = baseKeymap.Enter?.(
          EditorState.create({ doc: before.doc, selection: before.selection }),
          (tr) => {
            expected = EditorState.create({ doc: tr.doc, selection: tr.selection })
          },
        )
        expect(handled).toBe(true)
        expect(pressKey(editor, 'Enter')).toBe(true)
        expect(editor.state.doc.toJSON()).toEqual(expected?.doc.toJSON())
        expect(editor.state.selection.toJSON()).toEqual(expected?.selection.toJSON())
      } finally {
        editor.destroy()
      }
    },
  )
})
