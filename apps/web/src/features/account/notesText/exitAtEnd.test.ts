// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { pressKey, typeText } from '../editorInput.ts'
import { EditorNetwork } from '../editorNetwork.ts'

let network: EditorNetwork | undefined
afterEach(() => {
  network?.destroy()
  network = undefined
})

const types = (n: EditorNetwork, i: number) =>
  n
    .editor(i)
    .getJSON()
    .content?.map((node) => node.type) ?? []

describe('NotesExitAtEnd (instead of the trailing node on the Y.Text binding)', () => {
  it('ArrowDown at the end of a last heading adds one paragraph, for every replica, written by that user only', () => {
    network = new EditorNetwork(2, 1, 'text')
    const [a, b] = network.editors
    if (!a || !b) throw new Error('two editors')
    typeText(a, 'Title')
    a.commands.toggleHeading({ level: 2 })
    network.net.flushAll()
    // no replica appends a paragraph of its own after the heading
    expect(types(network, 0)).toEqual(['heading'])
    expect(types(network, 1)).toEqual(['heading'])

    expect(pressKey(a, 'ArrowDown')).toBe(true)
    typeText(a, 'body')
    network.net.flushAll()
    for (const i of [0, 1]) {
      expect(types(network, i)).toEqual(['heading', 'paragraph'])
      expect(network.blocks(i)).toEqual(['Title', 'body'])
    }
  })

  it('leaves ArrowDown alone in a last paragraph, before the end, and in the middle of the notes', () => {
    network = new EditorNetwork(1, 1, 'text')
    const a = network.editor(0)
    typeText(a, 'one')
    expect(pressKey(a, 'ArrowDown')).toBe(false)
    a.commands.toggleHeading({ level: 2 })
    a.commands.setTextSelection(2)
    expect(pressKey(a, 'ArrowDown')).toBe(false)
    expect(types(network, 0)).toEqual(['heading'])
  })

  it('leads out of a last list', () => {
    network = new EditorNetwork(1, 1, 'text')
    const a = network.editor(0)
    typeText(a, 'item')
    a.commands.toggleBulletList()
    expect(pressKey(a, 'ArrowDown')).toBe(true)
    typeText(a, 'after')
    expect(types(network, 0)).toEqual(['bulletList', 'paragraph'])
    expect(network.blocks(0)).toEqual(['item', 'after'])
  })
})
