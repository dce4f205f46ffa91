import { describe, expect, it } from 'vitest'
import { peersFromAwareness } from './presenceStates.ts'

describe('peersFromAwareness', () => {
  it('drops self and junk, keeps one entry per user preferring the active one, sorted by name', () => {
    const states = new Map<number, unknown>([
      [1, { user: { id: 'me', name: 'Me', color: '#000' } }],
      [2, { user: { id: 'u2', name: 'Zoe', color: '#111' } }],
      [3, { user: { id: 'u3', name: 'Bob', color: '#222' } }],
      [4, { user: { id: 'u3', name: 'Bob', color: '#222' }, dragging: 'deal_1' }],
      [5, { nonsense: true }],
    ])
    const peers = peersFromAwareness(states, 1)
    expect(peers.map((p) => p.user.name)).toEqual(['Bob', 'Zoe'])
    expect(peers[0]?.dragging).toBe('deal_1')
  })
})
