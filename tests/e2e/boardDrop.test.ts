import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import type { E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

const DealRecord = z
  .object({
    id: z.string(),
    position: z.object({ column: z.string(), key: z.string() }),
    status: z.enum(['open', 'won', 'lost']),
    lostReason: z.string().nullable(),
    updatedAt: z.number(),
  })
  .loose()

const readDeal = (user: E2eUser, dealId: string) => user.api(`/api/deals/${dealId}`, DealRecord)

/** The demo pipeline's stages in board order, with the lost one (Lead … Negotiation, Won, Lost). */
async function demoStages(user: E2eUser) {
  const stages = await user.board.stageIds()
  const [, , proposal, negotiation, won, lost] = stages
  if (!proposal || !negotiation || !won || !lost) throw new Error('the demo pipeline needs six stages')
  expect(await user.board.column(lost).getAttribute('class')).toContain('column--lost')
  return { stages, proposal, negotiation, won, lost }
}

/** The open stage showing the most cards (earlier tests of this file moved cards out of some). */
async function fullestOpenStage(user: E2eUser, stages: readonly string[]): Promise<string> {
  let best: { stage: string; count: number } | null = null
  for (const stage of stages) {
    if (!(await user.board.column(stage).getAttribute('class'))?.includes('column--open')) continue
    const count = await user.board.count(stage)
    if (!best || count > best.count) best = { stage, count }
  }
  if (!best || best.count < 2) throw new Error('no open stage with two cards')
  return best.stage
}

/** The first card shown in a column, once the column has rendered one (a phone renders a stage when it is chosen). */
async function firstCard(user: E2eUser, stageId: string): Promise<string> {
  await user.board.column(stageId).locator('[data-testid^="card-"]').first().waitFor()
  const [dealId] = await user.board.cardIds(stageId)
  if (!dealId) throw new Error(`no card in ${stageId}`)
  return dealId
}

e2eDescribe('a card lands in the column it is dropped on, also where the board scrolls sideways', () => {
  const session = e2eSession()

  for (const viewport of [
    { width: 1440, height: 900 },
    { width: 1280, height: 800 },
  ]) {
    it(`${viewport.width}×${viewport.height}: a drop onto each column of the demo pipeline lands in that column`, async () => {
      const sales = await session.signIn('sales')
      await sales.page.setViewportSize(viewport)
      await sales.board.open()
      const { stages, proposal, negotiation, lost } = await demoStages(sales)

      for (const target of stages) {
        const dealId = await firstCard(sales, target === negotiation ? proposal : negotiation)
        await sales.board.dragCardOnto(dealId, target)
        const reason = `Chose a competitor (${viewport.width})`
        if (target === lost) await sales.board.answerLost(reason)

        await eventually(() => sales.board.cardStage(dealId)).toBe(target)
        await eventually(async () => (await readDeal(sales, dealId)).position.column).toBe(target)
        if (target === lost)
          expect(await readDeal(sales, dealId)).toMatchObject({ status: 'lost', lostReason: reason })
      }
    })
  }

  it('a drop onto a lost stage asks why; Cancel puts the card back and writes nothing', async () => {
    const sales = await session.signIn('sales')
    await sales.board.open()
    const { stages, lost } = await demoStages(sales)
    const from = await fullestOpenStage(sales, stages)
    const cancelled = await firstCard(sales, from)
    const before = await readDeal(sales, cancelled)
    const order = await sales.board.cardIds(from)

    await sales.board.dragCardOnto(cancelled, lost)
    await sales.board.lostDialog().waitFor()
    // While the dialog asks, the card is shown where it was dropped.
    expect(await sales.board.cardStage(cancelled)).toBe(lost)
    await session.env.screenshot(sales.page, 'board-lost-reason-1440')
    await sales.board.answerLost(null)

    await eventually(() => sales.board.cardStage(cancelled)).toBe(from)
    expect(await sales.board.cardIds(from)).toEqual(order)

    // A later confirmed move reaching the server proves the cancelled one had its chance to be written.
    const other = order[1]
    if (!other) throw new Error(`${from} needs two cards`)
    await sales.board.markLost(other)
    await sales.board.answerLost('No budget this year')
    await eventually(async () => (await readDeal(sales, other)).status).toBe('lost')
    expect(await readDeal(sales, other)).toMatchObject({
      position: { column: lost },
      lostReason: 'No budget this year',
    })
    expect(await readDeal(sales, cancelled)).toEqual(before)
  })

  it('a keyboard move into a lost stage asks too; Escape cancels and writes nothing', async () => {
    const sales = await session.signIn('sales')
    await sales.board.open()
    const { stages, lost } = await demoStages(sales)
    const from = await fullestOpenStage(sales, stages)
    const dealId = await firstCard(sales, from)
    const before = await readDeal(sales, dealId)
    const steps = stages.indexOf(lost) - stages.indexOf(from)

    await sales.board.keyboardMove(dealId, Array(steps).fill('ArrowRight'))
    await sales.board.lostDialog().waitFor()
    await sales.page.keyboard.press('Escape')
    await sales.board.lostDialog().waitFor({ state: 'detached' })

    await eventually(() => sales.board.cardStage(dealId)).toBe(from)
    // A later confirmed loss reaching the server proves the cancelled one had its chance to be written.
    const other = (await sales.board.cardIds(from))[1]
    if (!other) throw new Error(`${from} needs two cards`)
    await sales.board.markLost(other)
    await sales.board.answerLost('Price')
    await eventually(async () => (await readDeal(sales, other)).status).toBe('lost')
    expect(await readDeal(sales, dealId)).toEqual(before)
  })

  it('someone else moving the deal while the reason is asked for closes the dialog; nothing is written', async () => {
    const a = await session.signIn('sales')
    const b = await session.signIn('sales2')
    await Promise.all([a.board.open(), b.board.open()])
    const { stages, lost } = await demoStages(a)
    const from = await fullestOpenStage(a, stages)
    const dealId = await firstCard(a, from)
    const left = stages[stages.indexOf(from) - 1]
    if (!left) throw new Error(`no stage left of ${from}`)

    await a.board.dragCardOnto(dealId, lost)
    await a.board.lostDialog().waitFor()
    await b.board.card(dealId).waitFor()
    await b.board.keyboardMove(dealId, ['ArrowLeft'])

    await a.board.lostDialog().waitFor({ state: 'detached' })
    await a.page.getByTestId('lost-notice').waitFor()
    await eventually(() => a.board.cardStage(dealId)).toBe(left)
    expect(await readDeal(a, dealId)).toMatchObject({ position: { column: left }, status: 'open' })
  })

  it('at 390 px the lost-reason dialog fits the screen', async () => {
    const sales = await session.signIn('sales')
    await sales.page.setViewportSize({ width: 390, height: 844 })
    await sales.board.open()
    const { stages, lost } = await demoStages(sales)
    const fullest = await fullestOpenStage(sales, stages)
    await sales.board.showStage(fullest) // a phone shows one stage at a time
    const dealId = await firstCard(sales, fullest)
    const lostBefore = await sales.board.count(lost)
    await sales.board.markLost(dealId)
    const box = await sales.board.lostDialog().boundingBox()
    if (!box) throw new Error('the lost-reason dialog is not shown')
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(390)
    await session.env.screenshot(sales.page, 'board-lost-reason-390')
    await sales.board.answerLost('Timing')
    // The Lost shortcut puts the deal at the end of the stage, which may be scrolled out of the column's view.
    await eventually(() => sales.board.count(lost)).toBe(lostBefore + 1)
    await eventually(async () => (await readDeal(sales, dealId)).lostReason).toBe('Timing')
  })
})
