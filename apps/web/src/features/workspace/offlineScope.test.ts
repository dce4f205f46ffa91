import { docName } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { isOfflineDbOf, offlineDbName } from '../../collab/offlineDbName.ts'

describe('offline copies after a workspace switch', () => {
  it('are named per user AND workspace, so a switch never opens another workspace’s copy', () => {
    const inA = offlineDbName('usr_1', docName({ workspaceId: 'ws_a', kind: 'accounts' }))
    const inB = offlineDbName('usr_1', docName({ workspaceId: 'ws_b', kind: 'accounts' }))
    const otherUser = offlineDbName('usr_2', docName({ workspaceId: 'ws_a', kind: 'accounts' }))
    expect(new Set([inA, inB, otherUser]).size).toBe(3)
    // Logout deletes every copy of the user, in every workspace, and none of another user's.
    expect([inA, inB].every((name) => isOfflineDbOf('usr_1', name))).toBe(true)
    expect(isOfflineDbOf('usr_1', otherUser)).toBe(false)
  })
})
