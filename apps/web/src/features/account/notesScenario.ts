import { canonicalJson, convergenceReport } from '@rapport/model'
import type { Editor } from '@tiptap/core'
import type { Node as PmNode } from '@tiptap/pm/model'
import { TextSelection } from '@tiptap/pm/state'
import { yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap'
import { pressKey, typeText } from './editorInput.ts'
import { EditorNetwork, NOTES_FIELD, NOTES_TEXT_FIELD, type NotesBinding } from './editorNetwork.ts'
import { notesCodec } from './notesText/notesCodec.ts'
import { readNotesText } from './notesText/notesUnits.ts'

/**
 * Test support: what users do in shared notes, as data (so fast-check can generate and shrink it and a failing
 * case can be kept as a named regression), and the checks that must hold after full delivery.
 *
 * `at` picks a caret position among the replica's text positions (modulo their count); absent, the user goes on
 * where their caret is. `atEnd` moves the caret to the end of its text block first (an inline node in the middle of
 * text splits the text node, like a split of a block), `inText` skips a Backspace at
 * the start of a block (a join) and `inBlock` keeps a deleted range inside one block: the binding represents a
 * split, a join and a change of block type by copying content into a new element, so only those edits keep
 * concurrent typing intact (see the known limitations in `notesConvergence.test.ts`). Every typed or pasted character is unique in the whole scenario (a CJK code point per
 * character), so each one can be traced back to the run and the moment that made it.
 */
export type NotesOp =
  | { t: 'type'; r: number; at?: number; len: number }
  /** Enter at the end of the caret's block, then a typed run: a user starting a new line. */
  | { t: 'line'; r: number; len: number }
  | { t: 'enter'; r: number; at?: number; atEnd?: boolean }
  | { t: 'backspace'; r: number; at?: number; inText?: boolean }
  | { t: 'joinBack'; r: number; block: number }
  | { t: 'deleteRange'; r: number; from: number; to: number; inBlock?: boolean }
  | { t: 'mark'; r: number; from: number; to: number; mark: 'bold' | 'italic' }
  | { t: 'list'; r: number; at: number; kind: 'bullet' | 'ordered' }
  | { t: 'heading'; r: number; at: number; level: 0 | 1 | 2 }
  | { t: 'mention'; r: number; at?: number; atEnd?: boolean; member: 0 | 1 }
  | { t: 'paste'; r: number; at?: number; atEnd?: boolean; paragraphs: number }
  | { t: 'deliver'; n: number }
  | { t: 'toggle' }

/** `all`: convergence and the integrity of every typed character; `convergence`: editors and replicas agree. */
export type Checks = 'all' | 'convergence'

export interface NotesScenario {
  replicas: number
  /** Seed of the network's delivery order and of the deliveries between keystrokes. */
  seed: number
  ops: NotesOp[]
}

const FIRST_CHAR = 0x4e00

interface CharInfo {
  run: number
  index: number
  /** The global step at which it was typed. */
  step: number
}

interface Run {
  id: number
  typed: boolean
  chars: string[]
}

/** Text positions (carets inside a text block) of a document. */
function caretPositions(doc: PmNode): number[] {
  const out: number[] = []
  doc.descendants((node, pos) => {
    if (!node.isTextblock) return true
    for (let i = 0; i <= node.content.size; i++) out.push(pos + 1 + i)
    return false
  })
  return out
}

function textblockStarts(doc: PmNode): number[] {
  const out: number[] = []
  doc.descendants((node, pos) => {
    if (!node.isTextblock) return true
    out.push(pos + 1)
    return false
  })
  return out
}

function pick(list: readonly number[], n: number): number {
  return list.length === 0 ? 1 : (list[n % list.length] as number)
}

function place(editor: Editor, at: number | undefined): void {
  if (at === undefined) return
  editor.commands.setTextSelection(pick(caretPositions(editor.state.doc), at))
}

function toBlockEnd(editor: Editor): void {
  const { $head } = editor.state.selection
  editor.commands.setTextSelection($head.end())
}

function select(editor: Editor, from: number, to: number, inBlock: boolean): void {
  const carets = caretPositions(editor.state.doc)
  const doc = editor.state.doc
  const $from = doc.resolve(pick(carets, from))
  let $to = doc.resolve(pick(carets, to))
  if (inBlock && !$to.sameParent($from)) $to = doc.resolve($from.end())
  editor.view.dispatch(editor.state.tr.setSelection(TextSelection.between($from, $to)))
}

/** The characters of a document that the scenario made, in document order. */
function ownChars(doc: PmNode): string[] {
  const out: string[] = []
  for (const ch of doc.textBetween(0, doc.content.size, '', '')) {
    if ((ch.codePointAt(0) ?? 0) >= FIRST_CHAR) out.push(ch)
  }
  return out
}

type Token = { kind: 'char'; ch: string } | { kind: 'block' } | { kind: 'node'; type: string }

function tokens(doc: PmNode): Token[] {
  const out: Token[] = []
  doc.descendants((node) => {
    if (node.isTextblock) out.push({ kind: 'block' })
    else if (node.isText) for (const ch of node.text ?? '') out.push({ kind: 'char', ch })
    else if (node.isLeaf && node.isInline) out.push({ kind: 'node', type: node.type.name })
    return true
  })
  return out
}

/**
 * Plays a scenario on real editors and returns what went wrong after full delivery (`[]` when all is well):
 * editors and Yjs replicas must agree, every editor must show what its Yjs fragment holds, no character may be
 * doubled, reordered or lost unless a user deleted it, and a typed run stays contiguous unless an edit made
 * after one of its characters landed right after that character.
 */
export function playNotesScenario(
  { replicas, seed, ops }: NotesScenario,
  checks: Checks = 'all',
  binding: NotesBinding = 'fragment',
): string[] {
  const network = new EditorNetwork(replicas, seed, binding)
  const { net } = network
  const info = new Map<string, CharInfo>()
  const runs: Run[] = []
  const deleted = new Set<string>()
  /** Steps at which something that may legitimately sit inside a run was made. */
  const splitSteps: number[] = []
  const mentionSteps: number[] = []
  let step = 0
  let next = FIRST_CHAR
  const newRun = (typed: boolean): Run => {
    const run: Run = { id: runs.length, typed, chars: [] }
    runs.push(run)
    return run
  }
  const newChar = (run: Run): string => {
    const ch = String.fromCodePoint(next++)
    info.set(ch, { run: run.id, index: run.chars.length, step })
    run.chars.push(ch)
    return ch
  }
  /** Runs a user action and records the characters it removed from that user's document. */
  const act = (editor: Editor, action: () => void) => {
    step++
    const before = ownChars(editor.state.doc)
    action()
    const after = new Set(ownChars(editor.state.doc))
    for (const ch of before) if (!after.has(ch)) deleted.add(ch)
  }
  try {
    for (const op of ops) {
      if (op.t === 'deliver') {
        net.deliver(op.n)
        continue
      }
      if (op.t === 'toggle') {
        net.toggleRandom()
        continue
      }
      const editor = network.editor(op.r % replicas)
      switch (op.t) {
        case 'line':
        case 'type': {
          if (op.t === 'line') {
            act(editor, () => {
              toBlockEnd(editor)
              splitSteps.push(step)
              pressKey(editor, 'Enter')
            })
            net.deliver(net.prng.int(3))
          } else place(editor, op.at)
          const run = newRun(true)
          for (let i = 0; i < op.len; i++) {
            act(editor, () => typeText(editor, newChar(run)))
            net.deliver(net.prng.int(3))
          }
          break
        }
        case 'enter':
          act(editor, () => {
            place(editor, op.at)
            if (op.atEnd) toBlockEnd(editor)
            splitSteps.push(step)
            pressKey(editor, 'Enter')
          })
          break
        case 'backspace':
          act(editor, () => {
            place(editor, op.at)
            if (!op.inText || editor.state.selection.$head.parentOffset > 0) pressKey(editor, 'Backspace')
          })
          break
        case 'joinBack':
          act(editor, () => {
            editor.commands.setTextSelection(pick(textblockStarts(editor.state.doc), op.block))
            pressKey(editor, 'Backspace')
          })
          break
        case 'deleteRange':
          act(editor, () => {
            select(editor, op.from, op.to, op.inBlock === true)
            // Delete on an empty selection at the end of a block joins the next one.
            if (!op.inBlock || !editor.state.selection.empty) pressKey(editor, 'Delete')
          })
          break
        case 'mark':
          act(editor, () => {
            select(editor, op.from, op.to, false)
            if (op.mark === 'bold') editor.commands.toggleBold()
            else editor.commands.toggleItalic()
          })
          break
        case 'list':
          act(editor, () => {
            place(editor, op.at)
            if (op.kind === 'bullet') editor.commands.toggleBulletList()
            else editor.commands.toggleOrderedList()
          })
          break
        case 'heading':
          act(editor, () => {
            place(editor, op.at)
            if (op.level === 0) editor.commands.setParagraph()
            else editor.commands.toggleHeading({ level: op.level })
          })
          break
        case 'mention':
          act(editor, () => {
            place(editor, op.at)
            if (op.atEnd) toBlockEnd(editor)
            mentionSteps.push(step)
            editor.commands.insertContent({
              type: 'mention',
              attrs: { id: op.member === 0 ? 'u-sam' : 'u-riley', label: op.member === 0 ? 'Sam' : 'Riley' },
            })
          })
          break
        case 'paste':
          act(editor, () => {
            place(editor, op.at)
            if (op.atEnd) toBlockEnd(editor)
            splitSteps.push(step)
            const paragraphs = Array.from({ length: op.paragraphs }, () => {
              const run = newRun(false)
              return { type: 'paragraph', content: [{ type: 'text', text: newChar(run) + newChar(run) }] }
            })
            editor.commands.insertContent(paragraphs)
          })
          break
      }
    }
    net.flushAll()
    const problems = convergence(network)
    if (checks === 'all') problems.push(...integrity(network, info, runs, deleted, splitSteps, mentionSteps))
    return problems
  } finally {
    network.destroy()
  }
}

function convergence(network: EditorNetwork): string[] {
  const problems = [...convergenceReport(network.net.docs)]
  const jsons = network.editors.map((e) => canonicalJson(e.getJSON()))
  jsons.forEach((json, i) => {
    if (json !== jsons[0]) problems.push(`editor ${i}: document differs from editor 0`)
  })
  network.editors.forEach((editor, i) => {
    const rendered =
      network.binding === 'fragment'
        ? yXmlFragmentToProseMirrorRootNode(network.net.doc(i).getXmlFragment(NOTES_FIELD), editor.schema)
        : notesCodec.deltaToDoc(readNotesText(network.net.doc(i).getText(NOTES_TEXT_FIELD)), editor.schema)
    // An empty fragment shows as the schema's empty document (one empty paragraph), and StarterKit's trailing node
    // adds an empty paragraph after a last block that is not one, in the editor only until someone types there.
    const paragraph = editor.schema.nodes.paragraph?.create()
    const trailing = paragraph ? rendered.copy(rendered.content.addToEnd(paragraph)) : rendered
    const shown = editor.state.doc
    if (!(rendered.eq(shown) || trailing.eq(shown))) {
      problems.push(`editor ${i}: shows something else than its Yjs ${network.binding}`)
    }
  })
  return problems
}

function integrity(
  network: EditorNetwork,
  info: Map<string, CharInfo>,
  runs: readonly Run[],
  deleted: ReadonlySet<string>,
  splitSteps: readonly number[],
  mentionSteps: readonly number[],
): string[] {
  const problems: string[] = []
  const doc = network.editor(0).state.doc
  const stream = tokens(doc)
  const seen = new Map<string, number>()
  stream.forEach((token, position) => {
    if (token.kind !== 'char' || !info.has(token.ch)) return
    if (seen.has(token.ch)) problems.push(`character ${describe(info, token.ch)} appears twice`)
    seen.set(token.ch, position)
  })
  for (const run of runs) {
    let previous: { ch: string; at: number } | undefined
    for (const ch of run.chars) {
      const at = seen.get(ch)
      if (at === undefined) {
        if (!deleted.has(ch)) problems.push(`character ${describe(info, ch)} is lost (nobody deleted it)`)
        continue
      }
      if (previous !== undefined && at < previous.at) {
        problems.push(`character ${describe(info, ch)} moved before ${describe(info, previous.ch)}`)
      }
      if (run.typed && previous !== undefined && at > previous.at) {
        const madeAt = info.get(previous.ch)?.step ?? 0
        for (const token of stream.slice(previous.at + 1, at)) {
          if (!mayLandInside(token, madeAt, info, splitSteps, mentionSteps)) {
            problems.push(`run ${run.id} is split after ${describe(info, previous.ch)} by an earlier edit`)
            break
          }
        }
      }
      previous = { ch, at }
    }
  }
  return problems
}

function mayLandInside(
  token: Token,
  madeAt: number,
  info: Map<string, CharInfo>,
  splitSteps: readonly number[],
  mentionSteps: readonly number[],
): boolean {
  if (token.kind === 'block') return splitSteps.some((s) => s > madeAt)
  if (token.kind === 'node') return mentionSteps.some((s) => s > madeAt)
  const other = info.get(token.ch)
  return other === undefined || other.step > madeAt
}

function describe(info: Map<string, CharInfo>, ch: string): string {
  const c = info.get(ch)
  return c === undefined ? ch : `${c.index} of run ${c.run}`
}
