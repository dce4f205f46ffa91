import { describe, expect, it } from 'vitest'
import { boardAutoScroll, EDGE_SCROLL_BAND } from './boardAutoScroll.ts'

/** The px band along the right edge of a board `width` px wide that scrolls it (dnd-kit: width × threshold.x). */
const band = (width: number) => width * (boardAutoScroll(width).threshold?.x ?? 0.2)

describe('boardAutoScroll', () => {
  it('leaves the visible half of a half-hidden column outside the scrolling band at 1440 and 1280 px', () => {
    // 1440×900: the board spans x 20..1420 and the Won column 1188..1468; its visible part's middle is at 1304.
    expect(1420 - 1304).toBeGreaterThan(band(1400))
    // 1280×800: the board spans 20..1260; a column with half of it showing has its visible middle 70 px in.
    expect(70).toBeGreaterThan(band(1240))
  })

  it('scrolls within a fixed band along the edges, never more than dnd-kit’s 20% on a narrow screen', () => {
    expect(band(1400)).toBeCloseTo(EDGE_SCROLL_BAND)
    expect(band(350)).toBeCloseTo(EDGE_SCROLL_BAND)
    expect(band(200)).toBeCloseTo(40)
    expect(boardAutoScroll(0).threshold).toEqual({ x: 0.2, y: 0.2 })
    expect(boardAutoScroll(1400).threshold?.y).toBe(0.2)
  })
})
