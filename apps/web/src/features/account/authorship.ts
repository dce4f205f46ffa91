import { AUTHORS_MAP, type AuthorEntry, authorAt, readAuthors } from '@rapport/model'
import { Extension } from '@tiptap/core'
import type { Node as PmNode } from '@tiptap/pm/model'
import { Plugin, PluginKey } from '@tiptap/pm/state'
import { Decoration, DecorationSet } from '@tiptap/pm/view'
import * as Y from 'yjs'
import { PositionMap, readNotesText } from './notesText/notesUnits.ts'

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
 * Every string run of a notes `Y.Text` (format v2, block markers) with its ProseMirror range: each live
 * `ContentString` item of the text is one run, its Yjs index mapped to the editor's document by the binding's
 * `PositionMap` (a text block is its marker plus its content, so a run never spans blocks). Null when the two
 * disagree (the editor has not caught up with the text yet): the caller tries again after the next change.
 */
export function authorRuns(text: Y.Text, doc: PmNode): AuthorRun[] | null {
  const positions = new PositionMap(doc, readNotesText(text))
  if (!positions.paired) return null
  const runs: AuthorRun[] = []
  let index = 0
  for (let item = text._start; item !== null; item = item.right) {
    if (item.deleted || !item.countable) continue
    if (item.content instanceof Y.ContentString) {
      const from = positions.toPos(index)
      const to = from + item.length
      if (to > doc.content.size || doc.textBetween(from, to) !== item.content.str) return null
      runs.push({ from, to, client: item.id.client, clock: item.id.clock })
    }
    index += item.length
  }
  return index === positions.length ? runs : null
}

/**
 * The runs cut where the attribution of their clientID changes inside them: a relayed range's ends and the time
 * marks. One Yjs item holds many characters (the server's notes migration writes a whole block's text as one, and
 * relays each part to the author of the fragment characters it was copied from), and clock and ProseMirror position
 * advance together inside a string item (one UTF-16 code unit each).
 */
export function splitByAttribution(
  runs: readonly AuthorRun[],
  entries: ReadonlyMap<number, AuthorEntry>,
): AuthorRun[] {
  const out: AuthorRun[] = []
  for (const run of runs) {
    const entry = entries.get(run.client)
    const end = run.clock + (run.to - run.from)
    const cuts = new Set<number>()
    if (entry) {
      for (const [from, to] of entry.relays ?? []) cuts.add(from).add(to)
      for (const [clock] of entry.marks) cuts.add(clock)
    }
    const inside = [...cuts].filter((c) => c > run.clock && c < end).sort((a, b) => a - b)
    let clock = run.clock
    for (const cut of [...inside, end]) {
      out.push({
        from: run.from + (clock - run.clock),
        to: run.from + (cut - run.clock),
        client: run.client,
        clock,
      })
      clock = cut
    }
  }
  return out
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
            const text = doc.getText(field)
            const authors = doc.getMap(AUTHORS_MAP)
            let timer: ReturnType<typeof setTimeout> | null = null
            const recompute = () => {
              timer = null
              if (view.isDestroyed) return
              if (!showAuthors && authorshipKey.getState(view.state) === DecorationSet.empty) return
              let set = DecorationSet.empty
              if (showAuthors) {
                const runs = authorRuns(text, view.state.doc)
                if (!runs) return
                const entries: Map<number, AuthorEntry> = readAuthors(authors)
                const byId = new Map(members().map((m) => [m.userId, m]))
                set = decorate(view.state.doc, splitByAttribution(runs, entries), (run) => {
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
            // After the editor has taken the change (the binding updates ProseMirror and Yjs in turn).
            const schedule = () => {
              timer ??= setTimeout(recompute, 0)
            }
            text.observe(schedule)
            authors.observe(schedule)
            const unsubscribe = authorsVisibility.subscribe(schedule)
            schedule()
            return {
              destroy() {
                if (timer) clearTimeout(timer)
                text.unobserve(schedule)
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
