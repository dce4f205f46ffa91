import { describe, expect, it } from 'vitest'
import { type DocRef, docName, parseDocName } from './docNames.ts'

describe('docNames', () => {
  const refs: DocRef[] = [
    { workspaceId: 'w1', kind: 'workspace' },
    { workspaceId: 'w1', kind: 'accounts' },
    { workspaceId: 'w1', kind: 'contacts' },
    { workspaceId: 'w1', kind: 'support' },
    { workspaceId: 'w1', kind: 'pipeline', pipelineId: 'pip_1' },
    { workspaceId: 'w1', kind: 'account', accountId: 'acc-9' },
    { workspaceId: 'w1', kind: 'inbox', userId: 'usr_x' },
    { workspaceId: 'w1', kind: 'contact', contactId: 'con_1' },
    { workspaceId: 'w1', kind: 'deal', dealId: 'deal_1' },
    { workspaceId: 'w1', kind: 'ticket', ticketId: 'tkt_1' },
    { workspaceId: 'w1', kind: 'board', pipelineId: 'pip_1' },
    { workspaceId: 'w1', kind: 'queue' },
    { workspaceId: 'w1', kind: 'feed' },
  ]
  it.each(refs)('round-trips $kind', (ref) => {
    expect(parseDocName(docName(ref))).toEqual(ref)
  })
  it('builds the documented names', () => {
    expect(docName({ workspaceId: 'w', kind: 'pipeline', pipelineId: 'p' })).toBe('w/pipeline/p')
    expect(docName({ workspaceId: 'w', kind: 'support' })).toBe('w/support')
    expect(docName({ workspaceId: 'w', kind: 'contact', contactId: 'c' })).toBe('w/contact/c')
    expect(docName({ workspaceId: 'w', kind: 'deal', dealId: 'd' })).toBe('w/deal/d')
    expect(docName({ workspaceId: 'w', kind: 'ticket', ticketId: 't' })).toBe('w/ticket/t')
    expect(docName({ workspaceId: 'w', kind: 'board', pipelineId: 'p' })).toBe('w/board/p')
    expect(docName({ workspaceId: 'w', kind: 'queue' })).toBe('w/queue')
    expect(docName({ workspaceId: 'w', kind: 'feed' })).toBe('w/feed')
  })
  it.each([
    '',
    'w1',
    'w1/',
    '/accounts',
    'w1/unknown',
    'w1/pipeline',
    'w1/pipeline/',
    'w1/accounts/x',
    'w1/account/a/b',
    'w 1/accounts',
    '../accounts',
    'w1/inbox/u%2f',
    'w1/contact',
    'w1/deal/',
    'w1/board',
    'w1/queue/x',
    'w1/feed/x',
    'w1/ticket/t/messages',
    `w1/account/${'a'.repeat(65)}`,
    `${'w'.repeat(300)}/accounts`,
  ])('rejects %j', (name) => {
    expect(parseDocName(name)).toBeNull()
  })
  it('refuses to build names from ids that would not round-trip', () => {
    expect(() => docName({ workspaceId: 'a/b', kind: 'accounts' })).toThrow()
    expect(() => docName({ workspaceId: 'w', kind: 'account', accountId: '' })).toThrow()
    expect(() => docName({ workspaceId: 'w', kind: 'deal', dealId: 'a/b' })).toThrow()
  })
})
