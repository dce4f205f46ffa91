import { expect, it } from 'vitest'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds, DEMO } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

const TOOLTIP = /^(Sam Sales|Sasha Sales) · \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}$/

e2eDescribe('who wrote what, and time travel, in the account room', () => {
  const session = e2eSession()
  const { signIn } = session

  it('colours the notes by author with who and when on hover; a past version is diffed and restored', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    const [, , accountId] = await accountIds(a, 3)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    await a.room.open(accountId)
    await b.room.open(accountId)
    const before = await a.room.notesText()
    const fromA = 'Sam: renewal call booked.'
    const fromB = 'Sasha: pricing sheet sent.'
    await a.room.typeInNotes(fromA, 'new-paragraph')
    await eventually(() => b.room.notesText()).toContain(fromA)
    await b.room.typeInNotes(fromB, 'new-paragraph')
    await eventually(() => a.room.notesText()).toContain(fromB)
    const industry = await a.room.fieldValue('industry')
    await a.room.setField('industry', `${industry} & Rail`)

    // Both browsers colour each user's text by its author, from the server's attribution.
    for (const user of [a, b]) {
      await user.room.showAuthors()
      const textBy = async (name: string) =>
        (await user.room.authorRuns())
          .filter((r) => r.author === name)
          .map((r) => r.text)
          .join('')
      await eventually(() => textBy(DEMO.sales.name)).toContain(fromA)
      await eventually(() => textBy(DEMO.sales2.name)).toContain(fromB)
    }
    const runs = await b.room.authorRuns()
    for (const run of runs) expect(run.title).toMatch(TOOLTIP)
    const colours = new Set(runs.map((r) => `${r.author}:${r.color}`))
    expect(new Set(runs.map((r) => r.color)).size).toBe(colours.size)
    expect(await b.room.hoverAuthorRun(DEMO.sales.name)).toMatch(/^Sam Sales · /)
    await session.env.screenshot(b.page, 'notes-authors-1440')
    await b.page.setViewportSize({ width: 390, height: 844 })
    await b.room.notes.scrollIntoViewIfNeeded()
    await session.env.screenshot(b.page, 'notes-authors-390')
    await b.page.setViewportSize({ width: 1440, height: 900 })

    // The version saved when the room was opened, diffed against now, then restored as a new edit.
    await b.room.openHistory()
    expect((await b.room.historyVersions()).length).toBeGreaterThan(0)
    await b.room.pickVersion(-1)
    const diff = await b.room.historyDiff()
    expect(diff.added.join(' ')).toContain('renewal call booked.')
    expect(diff.added.join(' ')).toContain('pricing sheet sent.')
    await eventually(() => b.room.historyField('industry')).toEqual({
      was: industry,
      now: `${industry} & Rail`,
      changed: true,
    })
    await session.env.screenshot(b.page, 'history-1440')
    await session.env.docScreenshot(b.page, 'account-history')
    await b.page.setViewportSize({ width: 390, height: 844 })
    await session.env.screenshot(b.page, 'history-390')
    await b.page.setViewportSize({ width: 1440, height: 900 })
    expect(await b.room.restoreVersion()).toMatch(/^Notes restored to /)
    for (const user of [a, b]) {
      await eventually(() => user.room.notesText()).not.toContain(fromA)
      await eventually(() => user.room.notesText()).toBe(before)
    }
    // Only the notes went back: the later field edit stays.
    expect(await a.room.fieldValue('industry')).toBe(`${industry} & Rail`)
    await eventually(async () => (await b.room.historyVersions()).join('\n')).toContain('Before a restore')
    await eventually(async () => (await a.room.timelineTexts()).join('\n')).toContain('restored the notes')
  })

  it('a viewer reads the history but is not offered a restore', async () => {
    const sales = await signIn('sales')
    const viewer = await signIn('viewer')
    const [, , , accountId] = await accountIds(sales, 4)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    await sales.room.open(accountId)
    await sales.room.typeInNotes('Sam: a line for the record.', 'new-paragraph')
    await viewer.room.open(accountId)
    await eventually(() => viewer.room.notesText()).toContain('a line for the record.')
    await viewer.room.openHistory()
    await viewer.room.pickVersion(-1)
    expect((await viewer.room.historyDiff()).added.join(' ')).toContain('a line for the record.')
    expect(await viewer.page.getByTestId('history-restore').count()).toBe(0)
  })
})
