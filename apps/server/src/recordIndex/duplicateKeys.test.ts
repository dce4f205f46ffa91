import { describe, expect, it } from 'vitest'
import { duplicateKeysOf, normalizeDomain, normalizeName, normalizePhone } from './duplicateKeys.ts'

describe('duplicate keys', () => {
  it('normalizes domains from websites, emails and bare hosts', () => {
    expect(normalizeDomain('https://www.Acme.com:443/about?x=1')).toBe('acme.com')
    expect(normalizeDomain('ACME.com.')).toBe('acme.com')
    expect(normalizeDomain('sales@acme.com')).toBe('acme.com')
    expect(normalizeDomain('not a domain')).toBe('')
    expect(normalizeDomain('')).toBe('')
  })

  it('keeps the last 9 digits of a phone number of at least 7', () => {
    expect(normalizePhone('+44 20 7946 0958')).toBe(normalizePhone('020 7946 0958'))
    expect(normalizePhone('(555) 123-4567')).toBe('551234567')
    expect(normalizePhone('12-34')).toBe('')
  })

  it('compares names by their words, without accents, case, order or legal forms', () => {
    expect(normalizeName('contacts', 'Zoë  O’Brien')).toBe(normalizeName('contacts', "o'brien ZOE"))
    expect(normalizeName('accounts', 'Acme Rockets, Inc.')).toBe('acme rockets')
    expect(normalizeName('accounts', 'Inc')).toBe('inc')
  })

  it('gives contacts email, company domain, full name and phone keys; accounts domain, name and phone', () => {
    expect(
      duplicateKeysOf('contacts', {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'Ada@Gmail.com',
        phone: '',
      }),
    ).toEqual([
      { type: 'email', value: 'ada@gmail.com' },
      { type: 'name', value: 'ada lovelace' },
    ])
    expect(duplicateKeysOf('contacts', { firstName: 'Ada', lastName: '', email: 'a@firm.example' })).toEqual([
      { type: 'email', value: 'a@firm.example' },
      { type: 'domain', value: 'firm.example' },
    ])
    expect(
      duplicateKeysOf('accounts', {
        name: 'A',
        domain: '',
        website: 'http://firm.example',
        phone: '0301234567',
      }),
    ).toEqual([
      { type: 'domain', value: 'firm.example' },
      { type: 'phone', value: '301234567' },
    ])
    expect(duplicateKeysOf('accounts', { name: 'x'.repeat(400) })).toEqual([])
  })
})
