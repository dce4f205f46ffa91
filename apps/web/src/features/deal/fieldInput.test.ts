import { Contact, currency } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import {
  notSaved,
  parseAmount,
  parseCurrency,
  parseDate,
  parseEmail,
  parseRequiredText,
  parseScore,
} from './fieldInput.ts'

describe('field input in plain words', () => {
  it('reads amounts people type and refuses the rest with a sentence', () => {
    expect(parseAmount('12,500')).toEqual({ ok: true, value: 12500 })
    expect(parseAmount(' 99.5 ')).toEqual({ ok: true, value: 99.5 })
    expect(parseAmount('')).toEqual({ ok: true, value: 0 })
    for (const bad of ['-5', 'ten', '1e3', '$5']) {
      expect(parseAmount(bad)).toEqual({
        ok: false,
        message: 'Enter the amount as a number, for example 12500.',
      })
    }
  })

  it('upper-cases currencies and accepts only what the model accepts', () => {
    expect(parseCurrency(' eur ')).toEqual({ ok: true, value: 'EUR' })
    expect(parseCurrency('euro').ok).toBe(false)
    const written = parseCurrency('gbp')
    expect(written.ok && currency.safeParse(written.value).success).toBe(true)
  })

  it('requires a title and keeps messages free of schema text', () => {
    expect(parseRequiredText('   ', 'The title', 200)).toEqual({
      ok: false,
      message: 'The title cannot be empty.',
    })
    const long = parseRequiredText('x'.repeat(201), 'The title', 200)
    expect(long).toEqual({ ok: false, message: 'The title can be at most 200 characters.' })
  })

  it('accepts what the contact schema accepts for email and score', () => {
    for (const text of ['', 'ann@example.com', 'not an email', 'a@b']) {
      const parsed = parseEmail(text)
      if (parsed.ok) expect(Contact.shape.email.safeParse(parsed.value).success).toBe(true)
    }
    expect(parseEmail('not an email').ok).toBe(false)
    expect(parseScore('87')).toEqual({ ok: true, value: 87 })
    expect(parseScore('101').ok).toBe(false)
    expect(parseScore('4.5').ok).toBe(false)
  })

  it('says what was not saved, and why', () => {
    expect(notSaved('lots', 'Enter the amount as a number, for example 12500.')).toBe(
      '“lots” was not saved. Enter the amount as a number, for example 12500.',
    )
    expect(notSaved('  ', 'The title cannot be empty.')).toBe('The title cannot be empty.')
    expect(notSaved('x'.repeat(50), 'Too long.')).toBe(`“${'x'.repeat(40)}…” was not saved. Too long.`)
  })

  it('reads dates from a date input, empty = no date', () => {
    expect(parseDate('')).toEqual({ ok: true, value: null })
    expect(parseDate('2027-03-31')).toEqual({ ok: true, value: '2027-03-31' })
    expect(parseDate('31/03/2027').ok).toBe(false)
  })
})
