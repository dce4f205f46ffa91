import { describe, expect, it } from 'vitest'
import { matchMembers } from './mentionExtension.ts'

const members = [
  { userId: 'u_riley', name: 'Riley Support' },
  { userId: 'u_sam', name: 'Sam Sales' },
  { userId: 'u_sasha', name: 'Sasha Sales' },
]

describe('matchMembers', () => {
  it('matches names case-insensitively anywhere and returns mention attributes', () => {
    expect(matchMembers(members, 'SAL')).toEqual([
      { id: 'u_sam', label: 'Sam Sales' },
      { id: 'u_sasha', label: 'Sasha Sales' },
    ])
    expect(matchMembers(members, 'riley')).toEqual([{ id: 'u_riley', label: 'Riley Support' }])
    expect(matchMembers(members, 'nobody')).toEqual([])
  })
})
