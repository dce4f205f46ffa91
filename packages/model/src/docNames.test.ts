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
  ]
  it.each(refs)('round-trips $kind', (ref) => {
    expect(parseDocName(docName(ref))).toEqual(ref)
  })
  it('builds the documented names', () => {
    expect(docName({ workspaceId: 'w', kind: 'pipeline', pipelineId: 'p' })).toBe('w/pipeline/p')
    expect(docName({ workspaceId: 'w', kind: 'support' })).toBe('w/support')
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
    `w1/account/${'a'.repeat(65)}`,
    `${'w'.repeat(300)}/accounts`,
  ])('rejects %j', (name) => {
    expect(parseDocName(name)).toBeNull()
  })
  it('refuses to build names from ids that would not round-trip', () => {
    expect(() => docName({ workspaceId: 'a/b', kind: 'accounts' })).toThrow()
    expect(() => docName({ workspaceId: 'w', kind: 'account', accountId: '' })).toThrow()
  })
})
