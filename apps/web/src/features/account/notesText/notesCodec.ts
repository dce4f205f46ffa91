import type { JSONContent } from '@tiptap/core'
import type { Node as PmNode, Schema } from '@tiptap/pm/model'
import type { NotesCodec } from './NotesTextBinding.ts'
import type { DeltaInsert } from './notesUnits.ts'

// TEMPORARY stand-in until the model's converters (recut-notescore) are merged.

function docToDelta(doc: PmNode): DeltaInsert[] {
  const out: DeltaInsert[] = []
  const walk = (node: PmNode, path: string[]) => {
    node.forEach((child, _offset, index) => {
      if (child.isTextblock || (child.isBlock && child.isLeaf)) {
        const attributes: Record<string, unknown> = { b: child.type.name }
        if (Object.keys(child.attrs).length > 0) attributes.ba = JSON.stringify(child.attrs)
        if (path.length > 0) attributes.p = path.join('/')
        out.push({ insert: { block: 1 }, attributes })
        child.forEach((inline) => {
          const marks: Record<string, unknown> = {}
          for (const mark of inline.marks)
            marks[mark.type.name] = Object.keys(mark.attrs).length > 0 ? JSON.stringify(mark.attrs) : true
          if (inline.isText) out.push({ insert: inline.text ?? '', attributes: marks })
          else
            out.push({
              insert: { inline: inline.type.name, attrs: JSON.stringify(inline.attrs) },
              attributes: marks,
            })
        })
      } else walk(child, [...path, `${child.type.name}#${index}`])
    })
  }
  walk(doc, [])
  return out.map((op) =>
    op.attributes && Object.keys(op.attributes).length === 0 ? { insert: op.insert } : op,
  )
}

function deltaToDoc(delta: readonly DeltaInsert[], schema: Schema): PmNode {
  const root: JSONContent = { type: 'doc', content: [] }
  let block: JSONContent | null = null
  const containers: { key: string; node: JSONContent }[] = []
  for (const op of delta) {
    const attrs = op.attributes ?? {}
    if (typeof op.insert === 'object' && 'block' in op.insert) {
      const keys = typeof attrs.p === 'string' && attrs.p !== '' ? attrs.p.split('/') : []
      let common = 0
      while (common < keys.length && common < containers.length && containers[common]?.key === keys[common])
        common++
      containers.length = common
      for (let i = common; i < keys.length; i++) {
        const key = keys[i] as string
        const node: JSONContent = { type: key.split('#')[0], content: [] }
        const parent = i === 0 ? root : (containers[i - 1] as { node: JSONContent }).node
        parent.content?.push(node)
        containers.push({ key, node })
      }
      const parent = containers.length === 0 ? root : (containers.at(-1) as { node: JSONContent }).node
      block = { type: String(attrs.b ?? 'paragraph'), content: [] }
      if (typeof attrs.ba === 'string') block.attrs = JSON.parse(attrs.ba)
      parent.content?.push(block)
      continue
    }
    if (block === null) {
      block = { type: 'paragraph', content: [] }
      root.content?.push(block)
    }
    const marks = Object.entries(attrs).map(([type, value]) =>
      value === true ? { type } : { type, attrs: JSON.parse(String(value)) },
    )
    if (typeof op.insert === 'string')
      block.content?.push({ type: 'text', text: op.insert, ...(marks.length ? { marks } : {}) })
    else
      block.content?.push({
        type: String(op.insert.inline),
        attrs: JSON.parse(String(op.insert.attrs ?? '{}')),
        ...(marks.length ? { marks } : {}),
      })
  }
  if (root.content?.length === 0) root.content.push({ type: 'paragraph' })
  const clean = (node: JSONContent) => {
    if (node.content?.length === 0) delete node.content
    else node.content?.forEach(clean)
  }
  clean(root)
  return schema.nodeFromJSON(root)
}

export const notesCodec: NotesCodec = { docToDelta, deltaToDoc }
