import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareValues } from '../projection/queryRecords.ts'
import { textSortKey, words } from './textKeys.ts'

const LONG = process.env.RAPPORT_LONG === '1'
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0)
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

describe('textSortKey', () => {
  it('orders like compareValues (the collator) for names: case, accents, digits, spaces, dashes', () => {
    // Code-unit order of the keys equals code-point order: they hold no surrogate pairs for these texts.
    const text = fc
      .array(
        fc.constantFrom(
          'a',
          'b',
          'B',
          'é',
          'E',
          'e',
          'É',
          'ü',
          'U',
          ' ',
          '-',
          '.',
          '0',
          '1',
          '2',
          '9',
          '10',
          '007',
        ),
        {
          maxLength: 6,
        },
      )
      .map((parts) => parts.join(''))
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sign(byCodePoint(textSortKey(a), textSortKey(b))), `${a} vs ${b}`).toBe(
          sign(compareValues(a, b)),
        )
      }),
      { seed: 20261204, numRuns: LONG ? 200_000 : 20_000 },
    )
  })

  it('examples', () => {
    const sorted = ['item 10', 'Item 9', 'éclair', 'Apple', 'apple', 'a-b', 'ab', 'a b', '', 'a2', 'a10']
      .map((t) => [textSortKey(t), t] as const)
      .sort((x, y) => byCodePoint(x[0], y[0]) || byCodePoint(x[1], y[1]))
      .map(([, t]) => t)
    expect(sorted).toEqual([
      '',
      'a b',
      'a-b',
      'a2',
      'a10',
      'ab',
      'Apple',
      'apple',
      'éclair',
      'Item 9',
      'item 10',
    ])
  })
})

describe('words', () => {
  it('splits on spaces and punctuation, lower-cases, keeps symbols and accents', () => {
    expect(words('Ann@Acme.com  C++ café, naïve—x\ny')).toEqual([
      'ann',
      'acme',
      'com',
      'c++',
      'café',
      'naïve',
      'x',
      'y',
    ])
  })
})
