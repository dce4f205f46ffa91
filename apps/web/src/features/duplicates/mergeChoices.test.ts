import { describe, expect, it } from 'vitest'
import type { AnyRecord } from './duplicatesApi.ts'
import { defaultChoices, differingFields, mergedValues, swapChoices } from './mergeChoices.ts'
import { worthChecking } from './useDuplicateCheck.ts'

const contact = (
  id: string,
  fields: Record<string, unknown>,
  customFields: Record<string, unknown> = {},
): AnyRecord => ({
  id,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: '',
  phone: '',
  title: '',
  accountId: null,
  leadStatus: 'new',
  source: 'web',
  score: 0,
  ownerId: null,
  customFields,
  ...fields,
})

describe('merge choices', () => {
  it('lists only the fields that differ, custom fields after the kind’s own; empty values count as the same', () => {
    const a = contact('c1', { email: 'ada@example.com', title: '' }, { f_tier: 'gold' })
    const b = contact(
      'c2',
      { email: 'ada@lovelace.dev', title: null, phone: '+44 20' },
      { f_tier: 'gold', f_x: 'y' },
    )
    const diffs = differingFields('contacts', a, b, [
      { id: 'f_tier', label: 'Tier' },
      { id: 'f_x', label: 'X' },
    ])
    expect(diffs.map((d) => d.field)).toEqual(['email', 'phone', 'cf.f_x'])
    expect(diffs[0]).toMatchObject({
      label: 'Email',
      survivor: 'ada@example.com',
      merged: 'ada@lovelace.dev',
    })
  })

  it('keeps the survivor’s value unless it is empty and the merged record has one', () => {
    const a = contact('c1', { email: 'ada@example.com', phone: '' })
    const b = contact('c2', { email: 'ada@lovelace.dev', phone: '+44 20' })
    const diffs = differingFields('contacts', a, b)
    const choices = defaultChoices(diffs)
    expect(choices).toEqual({ email: 'survivor', phone: 'merged' })
    expect(mergedValues(diffs, choices)).toEqual({ email: 'ada@example.com', phone: '+44 20' })
  })

  it('swapping the survivor keeps every chosen value', () => {
    const a = contact('c1', { email: 'ada@example.com', phone: '', score: 10 })
    const b = contact('c2', { email: 'ada@lovelace.dev', phone: '+44 20', score: 50 })
    const diffs = differingFields('contacts', a, b)
    const choices = { ...defaultChoices(diffs), score: 'merged' as const }
    const swapped = swapChoices(choices)
    const diffsSwapped = differingFields('contacts', b, a)
    expect(mergedValues(diffsSwapped, swapped)).toEqual(mergedValues(diffs, choices))
  })
})

describe('the create-time check', () => {
  it('asks only once the draft has a name part, an email, a domain or a phone of two characters or more', () => {
    expect(worthChecking({ firstName: '', lastName: ' ', email: '' })).toBe(false)
    expect(worthChecking({ firstName: 'A', leadStatus: 'qualified' })).toBe(false)
    expect(worthChecking({ lastName: 'Li' })).toBe(true)
    expect(worthChecking({ email: 'ada@x.dev' })).toBe(true)
    expect(worthChecking({ name: 'Acme', domain: '' })).toBe(true)
  })
})
