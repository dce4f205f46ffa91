import { describe, expect, it } from 'vitest'
import { toBaseCurrency, totalInBase } from './currencySettings.ts'
import { customFieldError, customFieldProblems, withCustomFieldValue } from './customFields.ts'
import { CustomFieldDef } from './workspaceSettings.ts'

const def = (type: CustomFieldDef['type'], extra: Partial<CustomFieldDef> = {}): CustomFieldDef =>
  CustomFieldDef.parse({ id: `cf_${type}`, label: 'Renewal', entity: 'account', type, options: [], ...extra })

describe('customFieldError', () => {
  it('accepts a value of the right type and names the field in plain words otherwise', () => {
    expect(customFieldError(def('number'), 12.5)).toBeNull()
    expect(customFieldError(def('number'), 'twelve')).toBe('Renewal must be a number.')
    expect(customFieldError(def('currency'), -1)).toBe('Renewal must be an amount of 0 or more.')
    expect(customFieldError(def('date'), '2026-02-30x')).toBe('Renewal must be a date (YYYY-MM-DD).')
    expect(customFieldError(def('date'), '2026-12-04')).toBeNull()
    expect(customFieldError(def('boolean'), 'yes')).toBe('Renewal must be yes or no.')
    expect(customFieldError(def('url'), 'example.com')).toMatch(/web address/)
    expect(customFieldError(def('url'), 'https://example.com/a?b=1')).toBeNull()
    expect(customFieldError(def('email'), 'a@b')).toBe('Renewal must be an email address.')
    expect(customFieldError(def('email'), 'a@b.io')).toBeNull()
  })

  it('checks select and multi-select values against the options', () => {
    const select = def('select', { options: ['Gold', 'Silver'] })
    expect(customFieldError(select, 'Gold')).toBeNull()
    expect(customFieldError(select, 'Bronze')).toBe('Renewal must be one of: Gold, Silver.')
    const multi = def('multiselect', { options: ['EU', 'US'] })
    expect(customFieldError(multi, ['EU', 'US'])).toBeNull()
    expect(customFieldError(multi, ['EU', 'EU'])).toMatch(/distinct choices/)
    expect(customFieldError(multi, 'EU')).toMatch(/list of distinct choices from: EU, US/)
  })

  it('checks user fields against the members when they are known', () => {
    expect(customFieldError(def('user'), 'usr_1', new Set(['usr_1']))).toBeNull()
    expect(customFieldError(def('user'), 'usr_2', new Set(['usr_1']))).toMatch(/member of the workspace/)
  })

  it('treats empty values as fitting every type', () => {
    for (const type of ['text', 'number', 'date', 'select', 'multiselect', 'email'] as const) {
      expect(customFieldError(def(type), null)).toBeNull()
    }
  })
})

describe('customFieldProblems', () => {
  const defs = [
    def('number', { id: 'cf_seats', label: 'Seats', required: true }),
    def('text', { id: 'cf_contact', label: 'Contact', entity: 'contact' }),
  ]
  it('reports required fields on create, unknown ids on input, and ignores other kinds', () => {
    expect(customFieldProblems(defs, 'account', {}, { required: 'all' })).toEqual([
      { fieldId: 'cf_seats', label: 'Seats', message: 'Seats is required.' },
    ])
    expect(customFieldProblems(defs, 'account', {}, { required: 'given' })).toEqual([])
    expect(customFieldProblems(defs, 'account', { cf_seats: null }, { required: 'given' })).toHaveLength(1)
    expect(
      customFieldProblems(defs, 'account', { cf_contact: 'x' }, { unknown: 'report' }).map((p) => p.message),
    ).toEqual(['There is no account field with the id cf_contact.'])
    expect(customFieldProblems(defs, 'account', { cf_other: 'x' })).toEqual([])
  })
})

describe('withCustomFieldValue', () => {
  it('sets a value and removes the key for an empty one', () => {
    expect(withCustomFieldValue({ a: 1 }, 'b', 'x')).toEqual({ a: 1, b: 'x' })
    expect(withCustomFieldValue({ a: 1, b: 'x' }, 'b', '')).toEqual({ a: 1 })
    expect(withCustomFieldValue({ a: 1 }, 'a', [])).toEqual({})
  })
})

describe('currency conversion', () => {
  const settings = { base: 'EUR', rates: { USD: 0.9, GBP: 1.2 } }
  it('converts to the base currency and lists currencies without a rate', () => {
    expect(toBaseCurrency(100, 'USD', settings)).toBe(90)
    expect(toBaseCurrency(100, 'EUR', settings)).toBe(100)
    expect(toBaseCurrency(100, 'JPY', settings)).toBeNull()
    expect(
      totalInBase(
        [
          { currency: 'USD', total: 1000, weighted: 500 },
          { currency: 'EUR', total: 200, weighted: 100 },
          { currency: 'JPY', total: 5000, weighted: 0 },
        ],
        settings,
      ),
    ).toEqual({ currency: 'EUR', total: 1100, weighted: 550, unconverted: ['JPY'] })
  })
})
