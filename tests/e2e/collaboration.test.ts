import { expect, it } from 'vitest'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds, DEMO } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

e2eDescribe('two users collaborate live in real browsers', () => {
  const session = e2eSession()
  const { signIn } = session

  it('a drag in A lands in the new column in B, and both update the column counts', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    await Promise.all([a.board.open(), b.board.open()])
    const [from, to] = await a.board.stageIds()
    if (!from || !to) throw new Error('the demo pipeline needs two stages')
    const [dealId] = await a.board.cardIds(from)
    if (!dealId) throw new Error(`no card in ${from}`)
    await b.board.card(dealId).waitFor()
    const before = { from: await b.board.count(from), to: await b.board.count(to) }
    expect(await a.board.count(from)).toBe(before.from)

    await a.board.dragCard(dealId, to)

    for (const user of [a, b]) {
      await eventually(() => user.board.cardStage(dealId)).toBe(to)
      await eventually(() => user.board.count(from)).toBe(before.from - 1)
      await eventually(() => user.board.count(to)).toBe(before.to + 1)
    }
    await session.env.screenshot(b.page, 'board-after-remote-drag')
    await session.env.docScreenshot(b.page, 'board')
  })

  it('dragging the top card of the first column to the top of the second lands there, without a page error', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    await Promise.all([a.board.open(), b.board.open()])
    const [from, to] = await a.board.stageIds()
    if (!from || !to) throw new Error('the demo pipeline needs two stages')
    const [dealId] = await a.board.cardIds(from)
    if (!dealId) throw new Error(`no card in ${from}`)
    await b.board.card(dealId).waitFor()

    await a.board.dragCardToTop(dealId, to)

    for (const user of [a, b]) {
      await eventually(() => user.board.cardStage(dealId)).toBe(to)
      await eventually(async () => (await user.board.cardIds(to))[0]).toBe(dealId)
    }
    expect(session.env.takePageErrors()).toEqual([])
  })

  it('a keyboard-only move across columns appears in the other browser', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    await Promise.all([a.board.open(), b.board.open()])
    const stages = await a.board.stageIds()
    const from = stages[2]
    const to = stages[3]
    if (!from || !to) throw new Error('the demo pipeline needs four stages')
    const [dealId] = await a.board.cardIds(from)
    if (!dealId) throw new Error(`no card in ${from}`)
    const before = { from: await b.board.count(from), to: await b.board.count(to) }

    await a.board.keyboardMove(dealId, ['ArrowRight'])

    await eventually(() => a.board.cardStage(dealId)).toBe(to)
    await eventually(() => b.board.cardStage(dealId)).toBe(to)
    await eventually(() => b.board.count(from)).toBe(before.from - 1)
    await eventually(() => b.board.count(to)).toBe(before.to + 1)
  })

  it('both type into the same note at once: both see the merged text and each other’s caret', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    const [, accountId] = await accountIds(a, 2)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    await Promise.all([a.room.open(accountId), b.room.open(accountId)])
    const fromA = 'Next step from Sam: book the onboarding kickoff.'
    const fromB = 'Sasha: the CFO joins the next call.'

    await Promise.all([
      a.room.typeInNotes(fromA, 'new-paragraph'),
      b.room.typeInNotes(` ${fromB}`, 'first-paragraph'),
    ])

    for (const user of [a, b]) {
      await eventually(() => user.room.notesText()).toContain(fromA)
      await eventually(() => user.room.notesText()).toContain(fromB)
    }
    await eventually(() => a.room.caretNames()).toContain(DEMO.sales2.name)
    await eventually(() => b.room.caretNames()).toContain(DEMO.sales.name)
    await session.env.screenshot(a.page, 'account-room-two-carets')
    await session.env.docScreenshot(a.page, 'account-room')
  })

  it('a field edit in A appears in B while B types in another field, without touching B’s draft', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    const [, , accountId] = await accountIds(a, 3)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    await Promise.all([a.room.open(accountId), b.room.open(accountId)])
    const draft = 'Fintech (draft by Sasha)'
    await b.room.field('industry').click()
    await b.room.field('industry').fill('')
    await b.page.keyboard.type(draft)

    await a.room.editField('city', 'Lisbon')

    await eventually(() => b.room.fieldValue('city')).toBe('Lisbon')
    expect(await b.room.fieldValue('industry')).toBe(draft)
    expect(await b.room.field('industry').evaluate((el) => el === document.activeElement)).toBe(true)
    // A has not received B's uncommitted draft; B commits it and then A does.
    expect(await a.room.fieldValue('industry')).not.toBe(draft)
    await b.room.field('industry').press('Enter')
    await eventually(() => a.room.fieldValue('industry')).toBe(draft)
    expect(await a.room.fieldValue('city')).toBe('Lisbon')
  })
})
