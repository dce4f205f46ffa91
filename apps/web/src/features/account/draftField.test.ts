import { describe, expect, it } from 'vitest'
import { changedUnderneath, shownValue, startEditing, typeDraft, valueToCommit } from './draftField.ts'

describe('draft fields', () => {
  it('shows the draft while editing even when the stored value changes remotely', () => {
    const s = typeDraft(startEditing('Acme'), 'Acme Corp')
    expect(shownValue(s, 'Globex')).toBe('Acme Corp')
    expect(changedUnderneath(s, 'Globex')).toBe(true)
    expect(valueToCommit(s, 'Globex')).toBe('Acme Corp')
  })

  it('an untouched field never overwrites a remote change', () => {
    const s = startEditing('Acme')
    expect(valueToCommit(s, 'Globex')).toBeNull()
    expect(changedUnderneath(s, 'Globex')).toBe(true)
  })

  it('typing back to the original value writes nothing', () => {
    const s = typeDraft(typeDraft(startEditing('Acme'), 'Acm'), 'Acme')
    expect(valueToCommit(s, 'Acme')).toBeNull()
  })

  it('does not rewrite a value the remote already has', () => {
    const s = typeDraft(startEditing('Acme'), 'Same')
    expect(valueToCommit(s, 'Same')).toBeNull()
  })

  it('shows the live value when not editing', () => {
    expect(shownValue({ editing: false, draft: 'old', base: 'old' }, 'new')).toBe('new')
    expect(valueToCommit({ editing: false, draft: 'x', base: '' }, '')).toBeNull()
  })
})
