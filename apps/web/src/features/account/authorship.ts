import { AUTHORS_MAP, type AuthorEntry, authorAt, readAuthors } from '@rapport/model'
import { Extension } from '@tiptap/core'
import type { Node as PmNode } from '@tiptap/pm/model'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import { Decoration, DecorationSet } from '@tiptap/pm/view'
import * as Y from 'yjs'

/** A text run of the notes and the Yjs replica (clientID) that wrote it. */
export interface AuthorRun {
  from: number
  to: number
  client: number
  clock: number
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number) => String(n).padStart(2, '0')

/** "4 Dec 18:02" in the viewer's time zone. */
export function formatAuthorTime(at: number): string {
  const d = new Date(at)
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/**
 * Every string run of a Tiptap fragment with its ProseMirror range, walking the Yjs structure beside the editor's
 * document (y-tiptap maps each node to an XmlElement and each run of text to an XmlText). Null when the two
 * disagree (the editor has not caught up with the document yet): the caller tries again after the next change.
 */
export function authorRuns(fragment: Y.XmlFragment, doc: PmNode): AuthorRun[] | null {
  const runs: AuthorRun[] = []
  const walk = (parent: Y.XmlFragment | Y.XmlElement, start: number, end: number): number | null => {
    let pos = start
    for (const child of parent.toArray()) {
      if (child instanceof Y.XmlText) {
        let item = child._start
        while (item) {
          if (!item.deleted && item.countable) {
            if (item.content instanceof Y.ContentString) {
              const to = pos + item.length
              if (to > end || doc.textBetween(pos, to) !== item.content.str) return null
              runs.push({ from: pos, to, client: item.id.client, clock: item.id.clock })
            }
            pos += item.length
          }
          item = item.right
        }
      } else if (child instanceof Y.XmlElement) {
        const node = pos < end ? doc.nodeAt(pos) : null
        if (!node || node.type.name !== child.nodeName) return null
        if (!node.isLeaf && walk(child, pos + 1, pos + node.nodeSize - 1) === null) return null
        pos += node.nodeSize
      }
    }
    return pos <= end ? pos : null
  }
  return walk(fragment, 0, doc.content.size) === null ? null : runs
}

interface Author {
  userId: string
  name: string
  color: string
  at: number
}

/** Decorations colouring each run by its author, with "Name · 4 Dec 18:02" as its tooltip. */
function decorate(
  doc: PmNode,
  runs: AuthorRun[],
  authorOf: (run: AuthorRun) => Author | null,
): DecorationSet {
  const decorations: Decoration[] = []
  let open: { from: number; to: number; author: Author; label: string } | null = null
  const flush = () => {
    if (!open) return
    const { color, userId, name } = open.author
    decorations.push(
      Decoration.inline(open.from, open.to, {
        class: 'author-run',
        style: `background-color: ${color}26; box-shadow: inset 0 -2px 0 ${color};`,
        title: open.label,
        'data-author': userId,
        'data-author-name': name,
      }),
    )
    open = null
  }
  for (const run of runs) {
    const author = authorOf(run)
    if (!author) {
      flush()
      continue
    }
    const label = `${author.name} · ${formatAuthorTime(author.at)}`
    if (open && open.to === run.from && open.label === label) open.to = run.to
    else {
      flush()
      open = { from: run.from, to: run.to, author, label }
    }
  }
  flush()
  return DecorationSet.create(doc, decorations)
}

let showAuthors = false
const listeners = new Set<() => void>()

/** Whether the notes show who wrote what (one setting per tab). */
export const authorsVisibility = {
  get: (): boolean => showAuthors,
  set(value: boolean): void {
    if (value === showAuthors) return
    showAuthors = value
    for (const listener of listeners) listener()
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
}

const authorshipKey = new PluginKey<DecorationSet>('authorship')

/**
 * Colours the notes by author when "Show authors" is on. Attribution comes only from the room's server-written
 * `authors` map (clientID → user, time marks): runs of a clientID the server has not attributed yet stay plain.
 */
export function authorshipExtension(
  doc: Y.Doc,
  field: string,
  members: () => ReadonlyArray<{ userId: string; name: string; color: string }>,
) {
  return Extension.create({
    name: 'authorship',
    addProseMirrorPlugins() {
      return [
        new Plugin<DecorationSet>({
          key: authorshipKey,
          state: {
            init: () => DecorationSet.empty,
            apply: (tr, old) => tr.getMeta(authorshipKey) ?? old.map(tr.mapping, tr.doc),
          },
          props: { decorations: (state) => authorshipKey.getState(state) },
          view(view) {
            const fragment = doc.getXmlFragment(field)
            const authors = doc.getMap(AUTHORS_MAP)
            let timer: ReturnType<typeof setTimeout> | null = null
            const recompute = () => {
              timer = null
              if (view.isDestroyed) return
              if (!showAuthors && authorshipKey.getState(view.state) === DecorationSet.empty) return
              let set = DecorationSet.empty
              if (showAuthors) {
                const runs = authorRuns(fragment, view.state.doc)
                if (!runs) return
                const entries: Map<number, AuthorEntry> = readAuthors(authors)
                const byId = new Map(members().map((m) => [m.userId, m]))
                set = decorate(view.state.doc, runs, (run) => {
                  const entry = entries.get(run.client)
                  // A range re-sent by another user's client (after a server crash) is that user's: the server
                  // vouches only for who sent it.
                  const author = entry ? authorAt(entry, run.clock) : null
                  if (!author?.userId) return null
                  const member = byId.get(author.userId)
                  return {
                    userId: author.userId,
                    name: member?.name ?? 'Former member',
                    color: member?.color ?? '#8a8f98',
                    at: author.at,
                  }
                })
              }
              view.dispatch(view.state.tr.setMeta(authorshipKey, set).setMeta('addToHistory', false))
            }
            // After the editor has taken the change (y-tiptap updates ProseMirror and Yjs in turn).
            const schedule = () => {
              timer ??= setTimeout(recompute, 0)
            }
            fragment.observeDeep(schedule)
            authors.observe(schedule)
            const unsubscribe = authorsVisibility.subscribe(schedule)
            schedule()
            return {
              destroy() {
                if (timer) clearTimeout(timer)
                fragment.unobserveDeep(schedule)
                authors.unobserve(schedule)
                unsubscribe()
              },
            }
          },
        }),
      ]
    },
  })
}
