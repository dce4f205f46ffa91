import { afterAll, beforeAll, expect, it } from 'vitest'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds, type E2eEnv, startE2e } from './support/e2eEnv.ts'
import { eventually } from './support/eventually.ts'

e2eDescribe('a viewer cannot change anything', () => {
  let env: E2eEnv

  beforeAll(async () => {
    env = await startE2e()
  })
  afterAll(async () => {
    await env?.close()
  })

  it('board: no drag, no keyboard move, no quick add — and the other browser sees nothing change', async () => {
    const viewer = await env.signIn('viewer')
    const sales = await env.signIn('sales')
    await Promise.all([viewer.board.open(), sales.board.open()])
    await viewer.page.getByTestId('read-only').waitFor()
    expect(await viewer.page.getByTestId('undo').count()).toBe(0)
    expect(await viewer.page.locator('[data-testid^="quick-add"]').count()).toBe(0)
    const [from, to, third] = await viewer.board.stageIds()
    if (!from || !to || !third) throw new Error('the demo pipeline needs three stages')
    const [dealId] = await viewer.board.cardIds(from)
    if (!dealId) throw new Error(`no card in ${from}`)
    const counts = { from: await sales.board.count(from), to: await sales.board.count(to) }

    await viewer.board.dragCard(dealId, to)
    await viewer.board.card(dealId).focus()
    await viewer.page.keyboard.press('Space')
    await viewer.page.keyboard.press('ArrowRight')
    await viewer.page.keyboard.press('Space')
    expect(await viewer.board.card(dealId).getAttribute('data-lifted')).toBeNull()

    // A later edit by the salesperson reaching the viewer proves the viewer's attempts had their chance to arrive.
    const [marker] = await sales.board.cardIds(third)
    if (!marker) throw new Error(`no card in ${third}`)
    await sales.board.dragCard(marker, to)
    await eventually(() => viewer.board.cardStage(marker)).toBe(to)
    await eventually(() => viewer.board.count(to)).toBe(counts.to + 1)
    // The viewer's attempts moved nothing, in either browser (counts come from the data, not the rendering).
    expect(await viewer.board.count(from)).toBe(counts.from)
    expect(await viewer.board.cardIds(to)).not.toContain(dealId)
    expect(await sales.board.cardStage(dealId)).toBe(from)
    expect(await sales.board.count(from)).toBe(counts.from)
    expect(await sales.board.count(to)).toBe(counts.to + 1)
    await env.screenshot(viewer.page, 'board-viewer')
  })

  it('account room: fields disabled, notes not editable — and the other browser sees nothing change', async () => {
    const viewer = await env.signIn('viewer')
    const sales = await env.signIn('sales')
    const [accountId] = await accountIds(sales, 1)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    await Promise.all([viewer.room.open(accountId), sales.room.open(accountId)])
    await viewer.page.getByTestId('read-only').waitFor()
    for (const field of ['name', 'city', 'tier', 'ownerId'])
      expect(await viewer.room.field(field).isDisabled(), field).toBe(true)
    expect(await viewer.room.notes.getAttribute('contenteditable')).toBe('false')
    const notesBefore = await sales.room.notesText()
    const cityBefore = await sales.room.fieldValue('city')

    await viewer.room.field('city').click({ force: true })
    await viewer.page.keyboard.type('Hacked')
    await viewer.page.keyboard.press('Enter')
    await viewer.room.notes.click()
    await viewer.page.keyboard.type('Viewer was here')
    expect(await viewer.room.notesText()).toBe(notesBefore)

    const marker = 'Marker from Sam'
    await sales.room.typeInNotes(marker)
    await eventually(() => viewer.room.notesText()).toContain(marker)
    expect(await sales.room.notesText()).not.toContain('Viewer was here')
    expect(await viewer.room.notesText()).not.toContain('Viewer was here')
    expect(await sales.room.fieldValue('city')).toBe(cityBefore)
    expect(await viewer.room.fieldValue('city')).toBe(cityBefore)
  })
})
