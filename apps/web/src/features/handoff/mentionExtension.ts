import Mention from '@tiptap/extension-mention'
import { Plugin } from '@tiptap/pm/state'
import type { SuggestionKeyDownProps, SuggestionProps } from '@tiptap/suggestion'

export interface MentionMember {
  userId: string
  name: string
}
interface MentionItem {
  id: string
  label: string
}

/** Members whose name matches what follows the `@`, at most 6. */
export function matchMembers(members: readonly MentionMember[], query: string): MentionItem[] {
  const q = query.trim().toLowerCase()
  return members
    .filter((m) => m.name.toLowerCase().includes(q))
    .slice(0, 6)
    .map((m) => ({ id: m.userId, label: m.name }))
}

/** A small keyboard-friendly suggestion list in plain DOM (no popup library). */
function suggestionMenu() {
  let el: HTMLDivElement | null = null
  let props: SuggestionProps<MentionItem> | null = null
  let active = 0
  const draw = () => {
    if (!el || !props) return
    el.replaceChildren()
    props.items.forEach((item, i) => {
      const button = document.createElement('button')
      button.type = 'button'
      button.textContent = item.label
      button.className = `mention-menu__item${i === active ? ' is-active' : ''}`
      button.dataset.testid = `mention-option-${item.id}`
      button.addEventListener('mousedown', (e) => {
        e.preventDefault()
        props?.command(item)
      })
      el?.append(button)
    })
    const rect = props.clientRect?.()
    if (rect) {
      el.style.left = `${rect.left + window.scrollX}px`
      el.style.top = `${rect.bottom + window.scrollY + 4}px`
    }
    el.hidden = props.items.length === 0
  }
  return {
    onStart: (next: SuggestionProps<MentionItem>) => {
      props = next
      active = 0
      el = document.createElement('div')
      el.className = 'mention-menu'
      el.dataset.testid = 'mention-menu'
      document.body.append(el)
      draw()
    },
    onUpdate: (next: SuggestionProps<MentionItem>) => {
      props = next
      active = Math.min(active, Math.max(0, next.items.length - 1))
      draw()
    },
    onKeyDown: ({ event }: SuggestionKeyDownProps) => {
      const count = props?.items.length ?? 0
      if (count === 0) return false
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        active = (active + (event.key === 'ArrowDown' ? 1 : count - 1)) % count
        draw()
        return true
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        const item = props?.items[active]
        if (item) props?.command(item)
        return true
      }
      return false
    },
    onExit: () => {
      el?.remove()
      el = null
      props = null
    },
  }
}

/**
 * A mention never keeps a mark. The Yjs binding stores no marks on inline nodes, so a mention made bold (by
 * bolding a line that holds it) showed bold to the user who did it and plain to everyone else.
 */
const MarklessMention = Mention.extend({
  addProseMirrorPlugins() {
    const plugins = this.parent?.() ?? []
    const type = this.type
    const unmark = new Plugin({
      appendTransaction: (transactions, _old, state) => {
        if (!transactions.some((tr) => tr.docChanged)) return null
        const tr = state.tr
        state.doc.descendants((node, pos) => {
          if (node.type !== type) return true
          for (const mark of node.marks) tr.removeMark(pos, pos + node.nodeSize, mark.type)
          return false
        })
        return tr.docChanged ? tr : null
      },
    })
    return [...plugins, unmark]
  },
})

/**
 * Tiptap's Mention node with member suggestions after `@`. The node stores the member's user id in `id`; the
 * server notifies each newly mentioned member once.
 */
export function mentionExtension(members: () => readonly MentionMember[]) {
  return MarklessMention.configure({
    HTMLAttributes: { class: 'mention' },
    suggestion: {
      char: '@',
      items: ({ query }) => matchMembers(members(), query),
      render: suggestionMenu,
    },
  })
}
