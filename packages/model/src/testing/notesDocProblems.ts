import type { NotesNode } from '../notes/notesSchema.ts'

/*
 * A test-only validator of the notes editor's schema content rules (StarterKit v3 + mention), written apart from
 * the converter's own tables so that the two check each other. It also checks ProseMirror's `toJSON` normal form:
 * no empty `content`, no empty or mergeable adjacent text nodes, `attrs` exactly the type's attributes.
 */

const BLOCK = new Set([
  'paragraph',
  'heading',
  'codeBlock',
  'blockquote',
  'bulletList',
  'orderedList',
  'horizontalRule',
])
const INLINE = new Set(['text', 'mention', 'hardBreak'])
const ATTRS: Record<string, string[]> = {
  heading: ['level'],
  codeBlock: ['language'],
  orderedList: ['start', 'type'],
  mention: ['id', 'label', 'mentionSuggestionChar'],
}
const MARK_RANK = ['link', 'bold', 'code', 'italic', 'strike', 'underline']
const LINK_ATTRS = ['class', 'href', 'rel', 'target', 'title']

const sameKeys = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join()

/** Everything in `doc` that breaks the schema or the normal form, as `path: problem` lines (`[]` = valid). */
export function notesDocProblems(doc: NotesNode): string[] {
  const problems: string[] = []
  const fail = (path: string, message: string) => problems.push(`${path}: ${message}`)

  const checkAttrs = (node: NotesNode, path: string) => {
    const expected = ATTRS[node.type]
    if (expected === undefined) {
      if (node.attrs !== undefined) fail(path, `${node.type} has no attrs`)
    } else if (node.attrs === undefined || !sameKeys(Object.keys(node.attrs), expected)) {
      fail(path, `${node.type} attrs must be exactly ${expected.join(', ')}`)
    }
  }

  const checkInline = (nodes: NotesNode[], path: string, code: boolean) => {
    let previousMarks: string | undefined
    for (const [i, node] of nodes.entries()) {
      const at = `${path}/${i}`
      if (!INLINE.has(node.type)) {
        fail(at, `${node.type} is not inline`)
        continue
      }
      if (node.content !== undefined) fail(at, 'inline node with content')
      checkAttrs(node, at)
      if (node.type !== 'text') {
        if (code) fail(at, `${node.type} inside a code block`)
        if (node.marks !== undefined) fail(at, 'inline atom with marks')
        previousMarks = undefined
        continue
      }
      if (typeof node.text !== 'string' || node.text === '') fail(at, 'empty text node')
      const marks = node.marks ?? []
      if (node.marks !== undefined && marks.length === 0) fail(at, 'empty marks array')
      if (code && marks.length > 0) fail(at, 'marks inside a code block')
      const ranks = marks.map((m) => MARK_RANK.indexOf(m.type))
      if (ranks.some((r) => r < 0)) fail(at, 'unknown mark')
      if (ranks.some((r, j) => j > 0 && r <= (ranks[j - 1] ?? -1)))
        fail(at, 'marks out of rank order or repeated')
      if (marks.some((m) => m.type === 'code') && marks.length > 1) fail(at, 'code excludes other marks')
      for (const mark of marks) {
        if (mark.type === 'link') {
          if (!mark.attrs || !sameKeys(Object.keys(mark.attrs), LINK_ATTRS)) fail(at, 'link attrs')
        } else if (mark.attrs !== undefined) fail(at, `${mark.type} has no attrs`)
      }
      const key = JSON.stringify(marks)
      if (key === previousMarks) fail(at, 'adjacent text nodes with the same marks')
      previousMarks = key
    }
  }

  const checkBlocks = (nodes: NotesNode[] | undefined, path: string, first?: string) => {
    if (!nodes || nodes.length === 0) return fail(path, 'needs at least one block')
    if (first !== undefined && nodes[0]?.type !== first) fail(path, `first child must be ${first}`)
    for (const [i, node] of nodes.entries()) checkBlock(node, `${path}/${i}`)
  }

  const checkBlock = (node: NotesNode, path: string) => {
    if (!BLOCK.has(node.type)) return fail(path, `${node.type} is not a block`)
    checkAttrs(node, path)
    if (node.marks !== undefined || node.text !== undefined) fail(path, 'block with marks or text')
    if (node.content !== undefined && node.content.length === 0) fail(path, 'empty content array')
    switch (node.type) {
      case 'paragraph':
      case 'heading':
        return checkInline(node.content ?? [], path, false)
      case 'codeBlock':
        return checkInline(node.content ?? [], path, true)
      case 'horizontalRule':
        if (node.content !== undefined) fail(path, 'horizontalRule is a leaf')
        return
      case 'blockquote':
        return checkBlocks(node.content, path)
      default: {
        // bulletList, orderedList
        const items = node.content ?? []
        if (items.length === 0) fail(path, 'list needs an item')
        for (const [i, item] of items.entries()) {
          const at = `${path}/${i}`
          if (item.type !== 'listItem') {
            fail(at, `${item.type} in a list`)
            continue
          }
          checkAttrs(item, at)
          checkBlocks(item.content, at, 'paragraph')
        }
      }
    }
  }

  if (doc.type !== 'doc') fail('', 'root is not doc')
  if (doc.attrs !== undefined || doc.marks !== undefined) fail('', 'doc with attrs or marks')
  checkBlocks(doc.content, '')
  return problems
}
