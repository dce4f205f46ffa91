import { describe, expect, it } from 'vitest'
import { columnView, keyForIndex, type Position } from './position.ts'
import { moveByKeyboard, resolveDrop } from './resolveDrop.ts'

const columns = { todo: ['a', 'b', 'c'], doing: ['d'], done: [] as string[] }
const keys: Record<string, string> = { a: 'a0', b: 'a1', c: 'a2', d: 'a0' }

/** The column's ordered ids after moving `id` to `position`. */
function orderAfter(id: string, position: Position): Record<string, string[]> {
  const items = Object.entries(columns).flatMap(([column, ids]) =>
    ids.map((i) => ({ id: i, position: i === id ? position : { column, key: keys[i] ?? '' } })),
  )
  return Object.fromEntries(Object.keys(columns).map((c) => [c, columnView(items, c)]))
}

describe('keyForIndex', () => {
  it('places at top, middle and bottom', () => {
    const k = ['a0', 'a1', 'a2']
    expect(keyForIndex(k, 0) < 'a0').toBe(true)
    const mid = keyForIndex(k, 1)
    expect(mid > 'a0' && mid < 'a1').toBe(true)
    expect(keyForIndex(k, 3) > 'a2').toBe(true)
    expect(keyForIndex([], 0)).toBe('a0')
  })
  it('clamps out-of-range indexes', () => {
    expect(keyForIndex(['a0'], 99) > 'a0').toBe(true)
    expect(keyForIndex(['a0'], -5) < 'a0').toBe(true)
  })
  it('never throws on equal neighbour keys and lands before or after the run', () => {
    const k = ['a0', 'a1', 'a1', 'a1', 'a2']
    const before = keyForIndex(k, 2) // closer to the start of the run
    expect(before > 'a0' && before < 'a1').toBe(true)
    const after = keyForIndex(k, 4) // end of the run is closer
    expect(after > 'a1' && after < 'a2').toBe(true)
  })
  it('never throws on invalid or misordered keys', () => {
    expect(() => keyForIndex(['zzz', '', 'a0'], 1)).not.toThrow()
    expect(() => keyForIndex(['a10', 'a0'], 1)).not.toThrow()
    expect(typeof keyForIndex(['', ''], 1)).toBe('string')
  })
})

describe('resolveDrop', () => {
  const base = { columns, keys }
  it('is a no-op without a target, on itself, or for unknown cards', () => {
    expect(resolveDrop({ ...base, activeId: 'a', over: null })).toBeNull()
    expect(resolveDrop({ ...base, activeId: 'a', over: { type: 'card', id: 'a' } })).toBeNull()
    expect(resolveDrop({ ...base, activeId: 'zz', over: { type: 'card', id: 'a' } })).toBeNull()
    expect(resolveDrop({ ...base, activeId: 'a', over: { type: 'card', id: 'zz' } })).toBeNull()
    expect(resolveDrop({ ...base, activeId: 'a', over: { type: 'column', id: 'nope' } })).toBeNull()
  })
  it('is a no-op when dropped where it already is', () => {
    expect(resolveDrop({ ...base, activeId: 'c', over: { type: 'column', id: 'todo' } })).toBeNull()
    expect(
      resolveDrop({ ...base, activeId: 'b', over: { type: 'card', id: 'c' }, placement: 'before' }),
    ).toBeNull()
  })
  it('drops on an empty column', () => {
    const p = resolveDrop({ ...base, activeId: 'a', over: { type: 'column', id: 'done' } })
    expect(p).toEqual({ column: 'done', key: 'a0' })
  })
  it('drops at the top and bottom of a column', () => {
    const top = resolveDrop({
      ...base,
      activeId: 'c',
      over: { type: 'column', id: 'todo' },
      placement: 'before',
    })
    expect(top && orderAfter('c', top).todo).toEqual(['c', 'a', 'b'])
    const bottom = resolveDrop({ ...base, activeId: 'a', over: { type: 'column', id: 'todo' } })
    expect(bottom && orderAfter('a', bottom).todo).toEqual(['b', 'c', 'a'])
  })
  it('follows arrayMove semantics within a column', () => {
    const down = resolveDrop({ ...base, activeId: 'a', over: { type: 'card', id: 'b' } })
    expect(down && orderAfter('a', down).todo).toEqual(['b', 'a', 'c'])
    const up = resolveDrop({ ...base, activeId: 'c', over: { type: 'card', id: 'a' } })
    expect(up && orderAfter('c', up).todo).toEqual(['c', 'a', 'b'])
  })
  it('moves across columns before or after the target card', () => {
    const before = resolveDrop({ ...base, activeId: 'b', over: { type: 'card', id: 'd' } })
    expect(before?.column).toBe('doing')
    expect(before && orderAfter('b', before).doing).toEqual(['b', 'd'])
    expect(before && orderAfter('b', before).todo).toEqual(['a', 'c'])
    const after = resolveDrop({ ...base, activeId: 'b', over: { type: 'card', id: 'd' }, placement: 'after' })
    expect(after && orderAfter('b', after).doing).toEqual(['d', 'b'])
  })
  it('handles equal keys from two clients inserting into the same gap', () => {
    const eq = { columns: { c: ['x', 'y', 'z'] }, keys: { x: 'a0', y: 'a1', z: 'a1' } }
    const p = resolveDrop({ ...eq, activeId: 'x', over: { type: 'card', id: 'z' } })
    expect(p).not.toBeNull()
    expect(p && p.key > 'a1').toBe(true)
  })
})

describe('moveByKeyboard', () => {
  it('moves up and down within a column and stops at the ends', () => {
    const up = moveByKeyboard(columns, keys, 'b', 'up')
    expect(up && orderAfter('b', up).todo).toEqual(['b', 'a', 'c'])
    const down = moveByKeyboard(columns, keys, 'b', 'down')
    expect(down && orderAfter('b', down).todo).toEqual(['a', 'c', 'b'])
    expect(moveByKeyboard(columns, keys, 'a', 'up')).toBeNull()
    expect(moveByKeyboard(columns, keys, 'c', 'down')).toBeNull()
  })
  it('moves across columns at the same index and stops at the edges', () => {
    const right = moveByKeyboard(columns, keys, 'c', 'right')
    expect(right && orderAfter('c', right).doing).toEqual(['d', 'c'])
    const left = moveByKeyboard(columns, keys, 'd', 'left')
    expect(left && orderAfter('d', left).todo).toEqual(['d', 'a', 'b', 'c'])
    expect(moveByKeyboard(columns, keys, 'a', 'left')).toBeNull()
    expect(moveByKeyboard(columns, keys, 'zz', 'left')).toBeNull()
  })
  it('really moves past a run of equal keys', () => {
    const eq = { c: ['x', 'y', 'z'] }
    const eqKeys = { x: 'a0', y: 'a0', z: 'a1' }
    const down = moveByKeyboard(eq, eqKeys, 'x', 'down')
    expect(down).not.toBeNull()
    const items = ['x', 'y', 'z'].map((id) => ({
      id,
      position: id === 'x' && down ? down : { column: 'c', key: eqKeys[id as 'x'] },
    }))
    expect(columnView(items, 'c').indexOf('x')).toBeGreaterThan(0)
  })
})
