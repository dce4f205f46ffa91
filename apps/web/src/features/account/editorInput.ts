import type { Editor } from '@tiptap/core'

/**
 * Test support: input as a user makes it. A character goes through the editor's `handleTextInput` props
 * (input rules, the mention suggestion) and falls back to inserting the text, as ProseMirror does for typed
 * text; a key goes through `handleKeyDown` (the keymaps: Enter splits, Backspace joins, Mod-b bolds).
 */
export function typeText(editor: Editor, text: string): void {
  for (const ch of text) {
    const view = editor.view
    const { from, to } = view.state.selection
    const deflt = () => view.state.tr.insertText(ch, from, to)
    const handled = view.someProp('handleTextInput', (f) => f(view, from, to, ch, deflt))
    if (!handled) view.dispatch(deflt())
  }
}

/** Presses a key (e.g. `Enter`, `Backspace`, `Delete`, `Mod-b` as `{ key: 'b', ctrlKey: true }`). */
export function pressKey(editor: Editor, key: string, modifiers: KeyboardEventInit = {}): boolean {
  const view = editor.view
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...modifiers })
  return view.someProp('handleKeyDown', (f) => f(view, event)) === true
}
