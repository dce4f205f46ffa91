import { type BoardFaceRow, boardFaceOfRow } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { faceOfRow } from './useDealFaces.ts'

describe('faceOfRow', () => {
  it.each([
    [['deal_1', 'Renewal', 1200, 'EUR', 'acc_1', 'usr_1', 'lead', 'a0', 'o', 1_700_000_000_000]],
    [['deal_2', '', 0, 'USD', null, null, 'won', 'Zz', 'w', 0]],
    [['deal_3', 'Lost one', -5.5, 'GBP', 'acc_2', null, 'lost', 'a0V', 'l', 42]],
  ] as BoardFaceRow[][])('reads the row %j as the model reads it', (row) => {
    expect(faceOfRow(row)).toEqual(boardFaceOfRow(row))
  })
})
