import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BoardFaceRow,
  BoardFaces,
  boardFaceOfRow,
  boardFaceRow,
  isBoardFaceRow,
  parseBoardFaces,
} from './boardFaces.ts'

const ROW: BoardFaceRow = [
  'deal_1',
  'Renewal',
  1200,
  'EUR',
  'acc_1',
  null,
  'lead',
  'a0',
  'o',
  1_700_000_000_000,
]

/** Values near a card row: each item either right or replaced by something of another type. */
const anything = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.constantFrom('o', 'w', 'l', 'x'),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, undefined, true, {}, [], Number.NaN, Number.POSITIVE_INFINITY),
)
const nearRow = fc.tuple(
  ...ROW.map((v) => fc.oneof({ weight: 4, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: anything })),
)
const row = fc.oneof(nearRow, fc.array(anything, { maxLength: 11 }), anything)

describe('parseBoardFaces', () => {
  it('isBoardFaceRow accepts exactly what the BoardFaceRow schema accepts', () => {
    fc.assert(
      fc.property(row, (v) => {
        expect(isBoardFaceRow(v)).toBe(BoardFaceRow.safeParse(v).success)
      }),
      { numRuns: 5_000 },
    )
  })

  it('gives what BoardFaces.safeParse gives, or null where it fails', () => {
    const body = fc.oneof(
      fc.record(
        {
          pipelineId: fc.oneof(
            { weight: 4, arbitrary: fc.constant('pip_1') },
            { weight: 1, arbitrary: anything },
          ),
          fields: fc.oneof(
            { weight: 4, arbitrary: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }) },
            { weight: 1, arbitrary: fc.array(anything, { maxLength: 3 }) },
            { weight: 1, arbitrary: anything },
          ),
          cards: fc.oneof(
            { weight: 4, arbitrary: fc.array(nearRow, { maxLength: 4 }) },
            { weight: 1, arbitrary: anything },
          ),
          accounts: fc.oneof(
            { weight: 4, arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })) },
            { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), anything) },
            { weight: 1, arbitrary: anything },
          ),
          extra: anything,
        },
        { requiredKeys: [] },
      ),
      anything,
    )
    fc.assert(
      fc.property(body, (v) => {
        const parsed = BoardFaces.safeParse(v)
        expect(parseBoardFaces(v)).toEqual(parsed.success ? parsed.data : null)
      }),
      { numRuns: 5_000 },
    )
  })

  it('reads a card row back as its face', () => {
    const body = parseBoardFaces({
      pipelineId: 'pip_1',
      fields: [],
      cards: [ROW],
      accounts: { acc_1: 'Acme' },
    })
    expect(body?.cards.map(boardFaceOfRow).map(boardFaceRow)).toEqual([ROW])
  })
})
