import { DEFAULT_SLA } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { parseCurrencyForm, parseOptions, parseSlaForm, parseStageForm, slaToForm } from './settingsForms.ts'

describe('settings forms', () => {
  it('checks a stage in plain words', () => {
    expect(parseStageForm({ name: ' Demo ', probability: '40', rotAfterDays: '', outcome: 'open' })).toEqual({
      ok: true,
      value: { name: 'Demo', probability: 0.4, rotAfterDays: null, outcome: 'open' },
    })
    expect(parseStageForm({ name: '', probability: '140', rotAfterDays: '1.5', outcome: 'open' })).toEqual({
      ok: false,
      errors: {
        name: 'Give the stage a name.',
        probability: 'Enter a probability from 0 to 100.',
        rotAfterDays: 'Enter whole days from 0 to 3650, or leave it empty for never.',
      },
    })
  })

  it('round-trips the SLA policy through hours and refuses a resolution before the first response', () => {
    expect(parseSlaForm(slaToForm(DEFAULT_SLA))).toEqual({ ok: true, value: DEFAULT_SLA })
    const form = slaToForm(DEFAULT_SLA)
    form.high = { firstResponse: '4', resolution: '2' }
    expect(parseSlaForm(form)).toEqual({
      ok: false,
      errors: { 'high.resolution': 'Resolution cannot come before the first response.' },
    })
  })

  it('checks the currency form', () => {
    expect(
      parseCurrencyForm({
        base: 'eur',
        rates: [
          { code: 'usd', rate: '0.9' },
          { code: '', rate: '' },
        ],
      }),
    ).toEqual({
      ok: true,
      value: { base: 'EUR', rates: { USD: 0.9 } },
    })
    expect(parseCurrencyForm({ base: 'EU', rates: [{ code: 'EUR', rate: '0' }] })).toMatchObject({
      ok: false,
      errors: {
        base: 'Enter a 3-letter currency code, like EUR.',
        'rates.0.rate': 'Enter a rate greater than 0.',
      },
    })
  })

  it('splits choices by line or comma', () => {
    expect(parseOptions('Gold, Silver\nGold\n  ')).toEqual(['Gold', 'Silver'])
  })
})
