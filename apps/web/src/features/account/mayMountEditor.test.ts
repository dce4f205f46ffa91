import { describe, expect, it } from 'vitest'
import { mayMountEditor } from './mayMountEditor.ts'

describe('mayMountEditor', () => {
  it('mounts once the server synced, whatever the text holds', () => {
    expect(mayMountEditor({ synced: true, localLoaded: false, textEmpty: true })).toBe(true)
    expect(mayMountEditor({ synced: true, localLoaded: true, textEmpty: false })).toBe(true)
  })

  it("mounts on the server's state read over HTTP before the socket synced, whatever the text holds", () => {
    expect(mayMountEditor({ synced: false, serverLoaded: true, localLoaded: false, textEmpty: true })).toBe(
      true,
    )
    expect(mayMountEditor({ synced: false, serverLoaded: true, localLoaded: false, textEmpty: false })).toBe(
      true,
    )
    expect(mayMountEditor({ synced: false, serverLoaded: false, localLoaded: false, textEmpty: false })).toBe(
      false,
    )
  })

  it('mounts offline from an IndexedDB copy whose text holds notes', () => {
    expect(mayMountEditor({ synced: false, localLoaded: true, textEmpty: false })).toBe(true)
  })

  it('never mounts on an empty text before the server sync', () => {
    expect(mayMountEditor({ synced: false, localLoaded: true, textEmpty: true })).toBe(false)
    expect(mayMountEditor({ synced: false, localLoaded: false, textEmpty: true })).toBe(false)
  })

  it('waits for the IndexedDB copy to finish loading', () => {
    expect(mayMountEditor({ synced: false, localLoaded: false, textEmpty: false })).toBe(false)
  })
})
