// @vitest-environment happy-dom
import { Editor } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { pressKey, typeText } from '../editorInput.ts'
import { EditorNetwork } from '../editorNetwork.ts'
import type { NotesTextBinding } from './NotesTextBinding.ts'
import { NOTES_CURSOR_FIELD, NotesTextCollaboration, notesCaretsKey } from './NotesTextCollaboration.ts'
import { notesCodec } from './notesCodec.ts'

let network: EditorNetwork | undefined
afterEach(() => {
  network?.destroy()
  network = undefined
})

function editors(count: number, seed = 1): Editor[] {
  network = new EditorNetwork(count, seed, 'text')
  return network.editors
}

function undoManager(editor: Editor): Y.UndoManager {
  const storage = (editor.storage as unknown as Record<string, { binding: NotesTextBinding | null }>)
    .notesTextCollaboration
  const manager = storage?.binding?.undoManager
  if (manager === undefined) throw new Error('no NotesTextCollaboration binding')
  return manager
}

/** The position right after the `n`-th character of the text, counting across blocks. */
function afterChar(editor: Editor, text: string): number {
  let found = -1
  editor.state.doc.descendants((node, pos) => {
    if (found >= 0 || !node.isText) return found < 0
    const at = node.text?.indexOf(text) ?? -1
    if (at >= 0) found = pos + at + text.length
    return false
  })
  if (found < 0) throw new Error(`no "${text}"`)
  return found
}

/** What precedes each remote caret inside its block, by user name. */
function caretContexts(editor: Editor): Record<string, string> {
  const out: Record<string, string> = {}
  for (const decoration of notesCaretsKey.getState(editor.state)?.find() ?? []) {
    const user = (decoration.spec as { user?: string }).user
    if (user === undefined) continue
    const $pos = editor.state.doc.resolve(decoration.from)
    out[user] = `${$pos.parent.textContent.slice(0, $pos.parentOffset)}|`
  }
  return out
}

describe('NotesTextCollaboration: undo', () => {
  it('undoes and redoes only this user’s edits, leaving what others typed meanwhile', () => {
    const [a, b] = editors(2)
    if (!a || !b) throw new Error('two editors')
    typeText(b, 'Hello world')
    network?.net.flushAll()
    undoManager(b).stopCapturing()
    // a splits the line while b goes on typing at its end
    a.commands.setTextSelection(afterChar(a, 'Hello'))
    pressKey(a, 'Enter')
    b.commands.setTextSelection(afterChar(b, 'world'))
    typeText(b, '!')
    network?.net.flushAll()
    expect(network?.blocks(0)).toEqual(['Hello', ' world!'])
    expect(network?.blocks(1)).toEqual(['Hello', ' world!'])

    expect(a.commands.undo()).toBe(true)
    network?.net.flushAll()
    expect(network?.blocks(0)).toEqual(['Hello world!'])
    expect(network?.blocks(1)).toEqual(['Hello world!'])

    expect(a.commands.redo()).toBe(true)
    network?.net.flushAll()
    expect(network?.blocks(1)).toEqual(['Hello', ' world!'])

    // b's undo takes back b's "!" only, not a's split
    expect(b.commands.undo()).toBe(true)
    network?.net.flushAll()
    expect(network?.blocks(0)).toEqual(['Hello', ' world'])
    expect(network?.blocks(1)).toEqual(['Hello', ' world'])
  })

  it('has nothing to undo for a user who only received others’ edits', () => {
    const [a, b] = editors(2)
    if (!a || !b) throw new Error('two editors')
    typeText(b, 'Hi')
    network?.net.flushAll()
    expect(a.commands.undo()).toBe(false)
    expect(network?.blocks(0)).toEqual(['Hi'])
  })

  it('undoes a change of block type by formatting the marker back', () => {
    const [a, b] = editors(2)
    if (!a || !b) throw new Error('two editors')
    typeText(b, 'Title')
    network?.net.flushAll()
    a.commands.toggleHeading({ level: 2 })
    b.commands.setTextSelection(afterChar(b, 'Title'))
    typeText(b, 's')
    network?.net.flushAll()
    expect(b.getJSON().content?.[0]).toMatchObject({ type: 'heading', attrs: { level: 2 } })
    a.commands.undo()
    network?.net.flushAll()
    expect(b.getJSON().content?.[0]?.type).toBe('paragraph')
    expect(network?.blocks(1)).toEqual(['Titles'])
  })
})

describe('NotesTextCollaboration: carets', () => {
  it('a remote caret follows its text across another user’s split', () => {
    const [a, b, c] = editors(3)
    if (!a || !b || !c) throw new Error('three editors')
    typeText(a, 'abcdef')
    network?.net.flushAll()
    b.commands.setTextSelection(afterChar(b, 'abcde'))
    expect(caretContexts(a)['User 1']).toBe('abcde|')
    // c splits after "ab": b's caret must stay after "e", now in the second line, everywhere
    c.commands.setTextSelection(afterChar(c, 'ab'))
    pressKey(c, 'Enter')
    network?.net.flushAll()
    expect(network?.blocks(0)).toEqual(['ab', 'cdef'])
    expect(caretContexts(a)['User 1']).toBe('cde|')
    expect(caretContexts(c)['User 1']).toBe('cde|')
    const $head = b.state.selection.$head
    expect($head.parent.textContent.slice(0, $head.parentOffset)).toBe('cde')
    // and the caret element is in the DOM with CollaborationCaret's class names
    const labels = [
      ...a.view.dom.querySelectorAll('.collaboration-carets__caret .collaboration-carets__label'),
    ]
    expect(labels.map((label) => label.textContent).sort()).toEqual(['User 1', 'User 2'])
  })

  it('a user’s own caret stays where they type when another user joins their line into the previous one', () => {
    const [a, b] = editors(2)
    if (!a || !b) throw new Error('two editors')
    typeText(a, 'one')
    pressKey(a, 'Enter')
    typeText(a, 'two')
    network?.net.flushAll()
    b.commands.setTextSelection(afterChar(b, 'tw'))
    a.commands.setTextSelection(afterChar(a, 'one') + 2)
    pressKey(a, 'Backspace')
    network?.net.flushAll()
    typeText(b, 'X')
    network?.net.flushAll()
    expect(network?.blocks(0)).toEqual(['onetwXo'])
    expect(network?.blocks(1)).toEqual(['onetwXo'])
  })
})

describe('NotesTextCollaboration: editors sharing one awareness (the room’s notes and a brief)', () => {
  it('publishes the caret of the focused editor only, and clears it on blur', () => {
    const doc = new Y.Doc()
    const awareness = new Awareness(doc)
    const make = (field: string) => {
      const element = document.createElement('div')
      document.body.append(element)
      return new Editor({
        element,
        extensions: [
          StarterKit.configure({ undoRedo: false, trailingNode: false }),
          NotesTextCollaboration.configure({
            text: doc.getText(field),
            codec: notesCodec,
            awareness,
            user: { name: 'Sam', color: '#3366ff' },
            onlyWhenFocused: true,
          }),
        ],
      })
    }
    const notes = make('notesText')
    const brief = make('briefText:h1')
    const cursorType = () => {
      const cursor = awareness.getLocalState()?.[NOTES_CURSOR_FIELD] as { head: unknown } | null | undefined
      if (cursor === null || cursor === undefined) return null
      const head = Y.createAbsolutePositionFromRelativePosition(
        Y.createRelativePositionFromJSON(cursor.head),
        doc,
      )
      return head?.type === doc.getText('notesText')
        ? 'notes'
        : head?.type === doc.getText('briefText:h1')
          ? 'brief'
          : '?'
    }
    try {
      expect(cursorType()).toBeNull()
      notes.view.focus()
      typeText(notes, 'Hello')
      expect(cursorType()).toBe('notes')
      // a change arriving in the unfocused brief (its selection is stored again) must not take the caret over
      doc.getText('briefText:h1').insert(0, 'Brief')
      expect(brief.getText()).toBe('Brief')
      expect(cursorType()).toBe('notes')
      notes.view.dom.blur()
      expect(cursorType()).toBeNull()
      brief.view.focus()
      expect(cursorType()).toBe('brief')
      // destroying the unfocused notes editor leaves the brief's caret
      notes.destroy()
      expect(cursorType()).toBe('brief')
      expect(awareness.getLocalState()?.user).toEqual({ name: 'Sam', color: '#3366ff' })
    } finally {
      for (const editor of [notes, brief]) if (!editor.isDestroyed) editor.destroy()
      document.body.replaceChildren()
      awareness.destroy()
      doc.destroy()
    }
  })
})

describe('NotesTextCollaboration: joins', () => {
  it('a join into a line whose marker another user’s join removed deletes only the marker', () => {
    const [a, b] = editors(2)
    if (!a || !b) throw new Error('two editors')
    const text = (editor: Editor) =>
      (editor.storage as unknown as Record<string, { binding: NotesTextBinding | null }>)
        .notesTextCollaboration?.binding?.text
    // an empty first line, then "abc"
    pressKey(a, 'Enter')
    typeText(a, 'abc')
    network?.net.flushAll()
    expect(network?.blocks(1)).toEqual(['', 'abc'])
    // a joins "abc" into the empty first line (its marker is deleted) while b types into that line
    a.commands.setTextSelection(afterChar(a, 'abc') - 3)
    pressKey(a, 'Backspace')
    b.commands.setTextSelection(1)
    typeText(b, 'Q')
    network?.net.flushAll()
    // the Y.Text now starts with b's "Q" and no marker (an implicit paragraph)
    expect(network?.blocks(0)).toEqual(['Q', 'abc'])
    expect(network?.blocks(1)).toEqual(['Q', 'abc'])
    const yText = text(a)
    if (yText === undefined || yText === null) throw new Error('no binding')
    expect(typeof yText.toDelta()[0]?.insert).toBe('string')
    // a joins the lines again while b types after "Q": a's binding only deletes the marker (Y.Text's event also
    // reports the marker's closing format items on "abc", which nobody wrote)
    const writes: string[] = []
    const record =
      (name: string, write: (...args: never[]) => unknown) =>
      (...args: never[]) => {
        writes.push(`${name} ${JSON.stringify(args)}`)
        return write.apply(yText, args)
      }
    const { insert, insertEmbed, delete: remove, format } = yText
    Object.assign(yText, {
      insert: record('insert', insert),
      insertEmbed: record('insertEmbed', insertEmbed),
      delete: record('delete', remove),
      format: record('format', format),
    })
    a.commands.setTextSelection(afterChar(a, 'abc') - 3)
    pressKey(a, 'Backspace')
    Object.assign(yText, { insert, insertEmbed, delete: remove, format })
    expect(writes).toEqual(['delete [1,1]'])
    b.commands.setTextSelection(afterChar(b, 'Q'))
    typeText(b, 'RS')
    network?.net.flushAll()
    expect(network?.blocks(0)).toEqual(['QRSabc'])
    expect(network?.blocks(1)).toEqual(['QRSabc'])
  })
})
