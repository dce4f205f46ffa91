import { describe, expect, it } from 'vitest'
import { DOC_KINDS, type DocKind, type DocRef } from './docNames.ts'
import { type Access, accessFor, accessTo, canWrite } from './policy.ts'
import { ROLES, type Role } from './roles.ts'

const EXPECTED: Record<Role, Record<DocKind, Access>> = {
  admin: {
    workspace: 'write',
    accounts: 'write',
    contacts: 'write',
    pipeline: 'write',
    support: 'write',
    account: 'write',
    inbox: 'write',
    contact: 'write',
    deal: 'write',
    ticket: 'write',
    board: 'read',
    queue: 'read',
    feed: 'read',
  },
  sales: {
    workspace: 'read',
    accounts: 'write',
    contacts: 'write',
    pipeline: 'write',
    support: 'read',
    account: 'write',
    inbox: 'write',
    contact: 'write',
    deal: 'write',
    ticket: 'read',
    board: 'read',
    queue: 'read',
    feed: 'read',
  },
  support: {
    workspace: 'read',
    accounts: 'write',
    contacts: 'write',
    pipeline: 'read',
    support: 'write',
    account: 'write',
    inbox: 'write',
    contact: 'write',
    deal: 'read',
    ticket: 'write',
    board: 'read',
    queue: 'read',
    feed: 'read',
  },
  viewer: {
    workspace: 'read',
    accounts: 'read',
    contacts: 'read',
    pipeline: 'read',
    support: 'read',
    account: 'read',
    inbox: 'write',
    contact: 'read',
    deal: 'read',
    ticket: 'read',
    board: 'read',
    queue: 'read',
    feed: 'read',
  },
}

function refOf(kind: DocKind, workspaceId: string, userId: string): DocRef {
  switch (kind) {
    case 'pipeline':
    case 'board':
      return { workspaceId, kind, pipelineId: 'p1' }
    case 'contact':
      return { workspaceId, kind, contactId: 'c1' }
    case 'deal':
      return { workspaceId, kind, dealId: 'd1' }
    case 'ticket':
      return { workspaceId, kind, ticketId: 't1' }
    case 'account':
      return { workspaceId, kind, accountId: 'a1' }
    case 'inbox':
      return { workspaceId, kind, userId }
    default:
      return { workspaceId, kind }
  }
}

describe('policy', () => {
  const cases = ROLES.flatMap((role) => DOC_KINDS.map((kind) => [role, kind] as const))
  it('covers every role × kind', () => expect(cases).toHaveLength(ROLES.length * DOC_KINDS.length))

  it.each(cases)('%s → %s', (role, kind) => {
    const member = { userId: 'u1', workspaceId: 'w1', role }
    expect(accessFor(role, kind)).toBe(EXPECTED[role][kind])
    expect(accessTo(member, refOf(kind, 'w1', 'u1'))).toBe(EXPECTED[role][kind])
    expect(accessTo(member, refOf(kind, 'w2', 'u1'))).toBe('none')
    if (kind === 'inbox') expect(accessTo(member, refOf(kind, 'w1', 'u2'))).toBe('none')
  })

  it('per-record kinds follow their collection; derived kinds are never writable by any role', () => {
    for (const role of ROLES) {
      expect(accessFor(role, 'contact')).toBe(accessFor(role, 'contacts'))
      expect(accessFor(role, 'deal')).toBe(accessFor(role, 'pipeline'))
      expect(accessFor(role, 'ticket')).toBe(accessFor(role, 'support'))
      expect(accessFor(role, 'board')).toBe(accessFor(role, 'pipeline') === 'none' ? 'none' : 'read')
      expect(accessFor(role, 'queue')).toBe(accessFor(role, 'support') === 'none' ? 'none' : 'read')
      expect(accessFor(role, 'feed')).toBe('read')
    }
  })

  it('canWrite only for write', () => {
    expect(canWrite('write')).toBe(true)
    expect(canWrite('read')).toBe(false)
    expect(canWrite('none')).toBe(false)
  })
})
