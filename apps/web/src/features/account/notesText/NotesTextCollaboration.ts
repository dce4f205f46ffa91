import { Extension } from '@tiptap/core'
import type { Node as PmNode } from '@tiptap/pm/model'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import { Decoration, DecorationSet } from '@tiptap/pm/view'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { type NotesCodec, NotesTextBinding, notesTextRemoteKey } from './NotesTextBinding.ts'
import { PositionMap, readNotesText } from './notesUnits.ts'

/**
 * The awareness field of a user's caret in the notes Y.Text: anchor and head as Y.RelativePosition JSON (a caret
 * follows its text across splits, joins and type changes, since no text is copied).
 */
export const NOTES_CURSOR_FIELD = 'notesCursor'

export interface NotesTextCollaborationOptions {
  /** The notes field's Y.Text. */
  text: Y.Text | null
  codec: NotesCodec | null
  /** Awareness of the document's provider; with it the carets of other users are drawn. */
  awareness: Awareness | null
  /** This user as others see them (`name`, `color`), written to the awareness field `user`. */
  user: { name: string; color: string } | null
  /** Keys of new containers; default random (the model's `newKey`). Tests pass a seeded one. */
  newKey: (() => string) | null
  /**
   * Publish the caret only while the editor has the focus (null on blur), as CollaborationCaret does. Needed when
   * several editors share one awareness (the room's notes and its handoff briefs all write `notesCursor`): an
   * unfocused editor must not overwrite the focused one's caret. Off by default (the test rigs never focus).
   */
  onlyWhenFocused: boolean
}

interface Storage {
  binding: NotesTextBinding | null
  /** Publishes the caret as the focus gate allows; `focus` is called on focus (true) and blur (false). */
  caret: { focus(focused: boolean): void; release(): void } | null
}

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    notesTextCollaboration: {
      /** Undoes this user's last change to the notes (never another user's). */
      undo: () => ReturnType
      /** Redoes what `undo` undid. */
      redo: () => ReturnType
    }
  }
}

/** The remote carets' decorations (widgets carry the user's name as `spec.user`). */
export const notesCaretsKey = new PluginKey<DecorationSet>('notesTextCarets')
const syncKey = new PluginKey<null>('notesTextSync')

/**
 * Tiptap extension binding the notes editor to one `Y.Text` with block markers (design 2 of #10, see
 * `NotesTextBinding`); replaces Collaboration + CollaborationCaret for a `notesText` field. Carets use the
 * class names of CollaborationCaret (`collaboration-carets__caret`, `__label`, `__selection`).
 */
export const NotesTextCollaboration = Extension.create<NotesTextCollaborationOptions, Storage>({
  name: 'notesTextCollaboration',
  priority: 1000,

  addOptions() {
    return { text: null, codec: null, awareness: null, user: null, newKey: null, onlyWhenFocused: false }
  },

  addStorage() {
    const { text, codec, awareness, newKey, onlyWhenFocused } = this.options
    if (text === null || codec === null)
      throw new Error('NotesTextCollaboration needs the notes Y.Text and a codec')
    type Cursor = { anchor: unknown; head: unknown } | null
    let published = ''
    let focused = !onlyWhenFocused
    let latest: Cursor = null
    const publish = (value: Cursor) => {
      if (awareness === null) return
      const json = JSON.stringify(value)
      if (json === published) return
      published = json
      awareness.setLocalStateField(NOTES_CURSOR_FIELD, value)
    }
    const binding = new NotesTextBinding(
      text,
      codec,
      (selection) => {
        latest =
          selection === null
            ? null
            : {
                anchor: Y.relativePositionToJSON(selection.anchor),
                head: Y.relativePositionToJSON(selection.head),
              }
        if (focused) publish(latest)
      },
      newKey ?? undefined,
    )
    const caret = {
      focus(on: boolean) {
        if (!onlyWhenFocused) return
        focused = on
        publish(on ? latest : null)
      },
      // On destroy: clear the field only if this editor's caret is the one published (another editor of the same
      // awareness may hold it).
      release() {
        if (published !== '' && published !== 'null') publish(null)
      },
    }
    return { binding, caret }
  },

  onBeforeCreate() {
    const binding = this.storage.binding
    const initial = binding?.initialDoc(this.editor.schema)
    if (initial) this.editor.options.content = initial.toJSON()
    const { awareness, user } = this.options
    if (awareness !== null && user !== null) awareness.setLocalStateField('user', user)
  },

  onDestroy() {
    this.storage.binding?.destroy()
    this.storage.caret?.release()
  },

  onFocus() {
    this.storage.caret?.focus(true)
  },

  onBlur() {
    this.storage.caret?.focus(false)
  },

  addCommands() {
    return {
      // The Y.UndoManager changes the Y.Text, whose observer dispatches the change: Tiptap's own transaction is
      // not dispatched (it was made on the state before).
      undo:
        () =>
        ({ tr, dispatch }) => {
          tr.setMeta('preventDispatch', true)
          const manager = this.storage.binding?.undoManager
          if (manager === undefined || manager.undoStack.length === 0) return false
          if (dispatch) manager.undo()
          return true
        },
      redo:
        () =>
        ({ tr, dispatch }) => {
          tr.setMeta('preventDispatch', true)
          const manager = this.storage.binding?.undoManager
          if (manager === undefined || manager.redoStack.length === 0) return false
          if (dispatch) manager.redo()
          return true
        },
    }
  },

  addKeyboardShortcuts() {
    return {
      'Mod-z': () => this.editor.commands.undo(),
      'Mod-Shift-z': () => this.editor.commands.redo(),
      'Mod-y': () => this.editor.commands.redo(),
    }
  },

  addProseMirrorPlugins() {
    const binding = this.storage.binding
    if (binding === null) return []
    const sync = new Plugin<null>({
      key: syncKey,
      state: {
        init: () => null,
        apply: (tr) => {
          binding.noteTransaction(tr)
          return null
        },
      },
      view: (view) => {
        binding.attach(view)
        return {
          update: (v, prevState) => binding.update(v, prevState),
          destroy: () => {
            binding.view = null
          },
        }
      },
    })
    const awareness = this.options.awareness
    if (awareness === null) return [sync]
    const build = (doc: PmNode) => caretDecorations(doc, binding.text, awareness)
    const carets = new Plugin<DecorationSet>({
      key: notesCaretsKey,
      state: {
        init: (_config, state) => build(state.doc),
        apply: (tr, set) =>
          tr.getMeta(notesCaretsKey) !== undefined || tr.getMeta(notesTextRemoteKey) !== undefined
            ? build(tr.doc)
            : set.map(tr.mapping, tr.doc),
      },
      props: { decorations: (state) => notesCaretsKey.getState(state) },
      view: (view) => {
        const onChange = ({ added, updated, removed }: Record<string, number[]>) => {
          const others = [...(added ?? []), ...(updated ?? []), ...(removed ?? [])].some(
            (id) => id !== awareness.clientID,
          )
          if (others && !view.isDestroyed) view.dispatch(view.state.tr.setMeta(notesCaretsKey, true))
        }
        awareness.on('change', onChange)
        return { destroy: () => awareness.off('change', onChange) }
      },
    })
    return [sync, carets]
  },
})

function caretDecorations(doc: PmNode, text: Y.Text, awareness: Awareness): DecorationSet {
  const ydoc = text.doc
  if (ydoc === null) return DecorationSet.empty
  const positions = new PositionMap(doc, readNotesText(text))
  const clamp = (pos: number) => Math.max(0, Math.min(pos, doc.content.size))
  const toPos = (json: unknown): number | null => {
    if (json === null || typeof json !== 'object') return null
    try {
      const absolute = Y.createAbsolutePositionFromRelativePosition(
        Y.createRelativePositionFromJSON(json),
        ydoc,
      )
      if (absolute === null || absolute.type !== text) return null
      return clamp(positions.toPos(absolute.index))
    } catch {
      return null
    }
  }
  const decorations: Decoration[] = []
  awareness.getStates().forEach((state, clientId) => {
    if (clientId === awareness.clientID) return
    const cursor = state[NOTES_CURSOR_FIELD] as { anchor?: unknown; head?: unknown } | null | undefined
    if (cursor === null || cursor === undefined) return
    const anchor = toPos(cursor.anchor)
    const head = toPos(cursor.head)
    if (anchor === null || head === null) return
    const user = (state.user ?? {}) as { name?: unknown; color?: unknown }
    const name = typeof user.name === 'string' ? user.name : `User ${clientId}`
    const color =
      typeof user.color === 'string' && /^#[0-9a-f]{3,8}$/i.test(user.color) ? user.color : '#888888'
    decorations.push(
      Decoration.widget(head, () => caretElement(name, color), {
        key: `${clientId}:${name}:${color}`,
        side: 10,
        user: name,
      }),
    )
    if (anchor !== head) {
      decorations.push(
        Decoration.inline(Math.min(anchor, head), Math.max(anchor, head), {
          class: 'collaboration-carets__selection',
          style: `background-color: ${color}70`,
        }),
      )
    }
  })
  return DecorationSet.create(doc, decorations)
}

function caretElement(name: string, color: string): HTMLElement {
  const caret = document.createElement('span')
  caret.classList.add('collaboration-carets__caret')
  caret.style.borderColor = color
  caret.dataset.user = name
  const label = document.createElement('div')
  label.classList.add('collaboration-carets__label')
  label.style.backgroundColor = color
  label.append(document.createTextNode(name))
  caret.append(label)
  return caret
}
