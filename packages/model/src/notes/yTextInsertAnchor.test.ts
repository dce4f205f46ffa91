import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'

/**
 * The yjs patch (`patches/yjs@13.6.33.patch`, docs/ARCHITECTURE.md "Design 2"): a Y.Text insert is anchored on its
 * left neighbour, not on deleted items to its right (upstream `minimizeAttributeChanges` skipped them) nor on a
 * deleted item a search marker leaves on its left. A format matching the insert's attributes is still passed when it
 * changes a current attribute (it saves writing one), so no more format items are written than before.
 */

type Node = { id: Y.ID; origin: Y.ID | null; deleted: boolean; right: Node | null; content: unknown }

function items(text: Y.Text): Node[] {
  const out: Node[] = []
  for (let n = (text as unknown as { _start: Node | null })._start; n !== null; n = n.right) out.push(n)
  return out
}

function liveFormats(text: Y.Text): number {
  return items(text).filter((n) => !n.deleted && n.content instanceof Y.ContentFormat).length
}

function sync(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
}

describe('Y.Text insert anchoring (yjs patch)', () => {
  // The shape of run 747: the typist (A) typed "1" before "b"; B replaced "b" by "XY" (delete, then insert); A sees
  // the delete, not yet the insert, and types "2" after "1". Unpatched, "2" was anchored on the deleted "b", like
  // B's "XY", and with B's lower client id "XY" landed between "1" and "2".
  const clientIds: [number, number][] = [
    [2, 1],
    [1, 2],
  ]
  for (const [typist, paster] of clientIds) {
    it(`a run typed before text another user replaces stays whole (client ids ${typist}/${paster})`, () => {
      const a = new Y.Doc()
      a.clientID = typist
      const b = new Y.Doc()
      b.clientID = paster
      a.getText('t').insert(0, 'ab')
      sync(a, b)
      a.getText('t').insert(1, '1')
      const beforeDelete = Y.encodeStateVector(b)
      b.getText('t').delete(1, 1)
      const deletion = Y.encodeStateAsUpdate(b, beforeDelete)
      b.getText('t').insert(1, 'XY')
      Y.applyUpdate(a, deletion)
      a.getText('t').insert(2, '2')
      sync(a, b)
      const result = a.getText('t').toString()
      expect(b.getText('t').toString()).toBe(result)
      expect(['a12XY', 'aXY12']).toContain(result)
    })
  }

  it('an insert at a search marker whose left item is deleted is anchored on the live item before it', () => {
    const doc = new Y.Doc()
    doc.clientID = 5
    const text = doc.getText('t')
    text.insert(0, 'cdefghijkl')
    text.insert(0, 'a')
    text.insert(1, 'b')
    text.delete(1, 1) // a ~b cdefghijkl, "b" not mergeable with "c"
    text.insert(3, 'Z') // leaves a search marker on "cd" at index 1
    text.delete(3, 1)
    text.insert(1, '1')
    const chain = items(text)
    const one = chain.find((n) => !n.deleted && (n.content as { str?: string }).str === '1')
    const a = chain.find((n) => !n.deleted && (n.content as { str?: string }).str === 'a')
    expect(text.toString()).toBe('a1cdefghijkl')
    expect(one?.origin).toEqual(a?.id)
  })

  it('typing plain text where the end of a bold run was deleted reuses its closing format', () => {
    const doc = new Y.Doc()
    const text = doc.getText('t')
    text.insert(0, 'ab', { bold: true })
    text.insert(2, 'c', {})
    expect(liveFormats(text)).toBe(2)
    text.delete(1, 1) // a (bold) ~b c
    text.insert(1, 'x', {}) // plain: goes past the deleted "b" onto the existing closing format
    expect(text.toDelta()).toEqual([{ insert: 'a', attributes: { bold: true } }, { insert: 'xc' }])
    expect(liveFormats(text)).toBe(2)
    text.insert(1, 'y', { bold: true }) // bold, right after "a": anchored on "a"
    expect(text.toDelta()).toEqual([{ insert: 'ay', attributes: { bold: true } }, { insert: 'xc' }])
    expect(liveFormats(text)).toBe(2)
  })

  it('formatted inserts next to deleted text keep their attributes, locally and on another replica', () => {
    const a = new Y.Doc()
    a.clientID = 1
    const b = new Y.Doc()
    b.clientID = 2
    const text = a.getText('t')
    text.insert(0, 'abcd')
    text.format(1, 2, { italic: true }) // a *bc* d
    text.delete(1, 2) // a ~b ~c d
    text.insert(1, 'X', { bold: true })
    text.insert(2, 'Y', {})
    text.insert(1, 'Z', { italic: true })
    const expected = [
      { insert: 'a' },
      { insert: 'Z', attributes: { italic: true } },
      { insert: 'X', attributes: { bold: true } },
      { insert: 'Yd' },
    ]
    expect(text.toDelta()).toEqual(expected)
    sync(a, b)
    expect(b.getText('t').toDelta()).toEqual(expected)
  })
})
