import { describe, expect, it } from 'vitest'
import { mayMountEditor } from './mayMountEditor.ts'

describe('mayMountEditor', () => {
  it('mounts once the server synced, whatever the fragment holds', () => {
    expect(mayMountEditor({ synced: true, localLoaded: false, fragmentEmpty: true })).toBe(true)
    expect(mayMountEditor({ synced: true, localLoaded: true, fragmentEmpty: false })).toBe(true)
  })

  it('mounts offline from a non-empty IndexedDB copy', () => {
    expect(mayMountEditor({ synced: false, localLoaded: true, fragmentEmpty: false })).toBe(true)
  })

  it('never mounts on an empty fragment before the server sync', () => {
    expect(mayMountEditor({ synced: false, localLoaded: true, fragmentEmpty: true })).toBe(false)
    expect(mayMountEditor({ synced: false, localLoaded: false, fragmentEmpty: true })).toBe(false)
  })

  it('waits for the IndexedDB copy to finish loading', () => {
    expect(mayMountEditor({ synced: false, localLoaded: false, fragmentEmpty: false })).toBe(false)
  })
})
