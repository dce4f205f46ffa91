import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FaceSource, isFaceSource } from './boardFacesRoute.ts'

const ROW = {
  id: 'deal_1',
  title: 'Renewal',
  amount: 1200,
  currency: 'EUR',
  accountId: 'acc_1',
  ownerId: null,
  pipelineId: 'pip_1',
  position: { column: 'lead', key: 'a0' },
  status: 'open',
  stageEnteredAt: 1_700_000_000_000,
  archived: false,
  customFields: {},
}

const anything = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.constantFrom('open', 'won', 'lost', 'o'),
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, undefined, true, false, {}, [], Number.NaN, Number.POSITIVE_INFINITY),
  fc.record(
    { column: fc.oneof(fc.string(), anything0()), key: fc.oneof(fc.string(), anything0()) },
    { requiredKeys: [] },
  ),
)
function anything0() {
  return fc.constantFrom(null, 1, undefined, 'x')
}
/** Rows near a face's source: each field right, replaced by something of another type, or absent. */
const row = fc.record(
  Object.fromEntries(
    Object.entries(ROW).map(([k, v]) => [
      k,
      fc.oneof({ weight: 5, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: anything }),
    ]),
  ),
  { requiredKeys: Object.keys(ROW).filter((k) => k !== 'archived') },
)

describe('isFaceSource', () => {
  it('accepts exactly the rows the FaceSource schema accepts', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 9, arbitrary: row }, { weight: 1, arbitrary: fc.record({ id: fc.string() }) }),
        (r) => {
          expect(isFaceSource(r as Record<string, unknown>)).toBe(FaceSource.safeParse(r).success)
        },
      ),
      { numRuns: 5_000 },
    )
  })
})
