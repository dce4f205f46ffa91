import { expect, it } from 'vitest'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

/**
 * Issue #10 item 1: two users in the same notes press Enter at the same moment and go on typing, ~100 ms per key,
 * without waiting for each other. Before the binding fix both lines ended up merged into one paragraph, with one
 * user's first letter moved to its end ("Sam note 0iley note 0R").
 */
e2eDescribe('two users press Enter at the same moment in shared notes', () => {
  const session = e2eSession()
  const { signIn } = session

  it('each line stays its own paragraph, once, in the same order for both', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    const [, , , accountId] = await accountIds(a, 4)
    if (!accountId) throw new Error('the demo workspace needs four accounts')
    await Promise.all([a.room.open(accountId), b.room.open(accountId)])
    await eventually(async () => (await a.room.notesBlocks()).join('\n')).toBe(
      (await b.room.notesBlocks()).join('\n'),
    )
    const before = await a.room.notesBlocks()
    await a.room.caretToNotesEnd()
    await b.room.caretToNotesEnd()

    const fromA = 'Sam note '
    const fromB = 'Riley note '
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        a.room.typeSteadily(`\n${fromA}${round}`, 100),
        b.room.typeSteadily(`\n${fromB}${round}`, 100),
      ])
    }

    const expected = [0, 1, 2].flatMap((round) => [`${fromA}${round}`, `${fromB}${round}`])
    await eventually(async () => (await a.room.notesBlocks()).join('\n')).toBe(
      (await b.room.notesBlocks()).join('\n'),
    )
    const blocks = await a.room.notesBlocks()
    await session.env.screenshot(a.page, 'notes-concurrent-enter')
    expect(blocks.slice(0, before.length)).toEqual(before)
    const added = blocks.slice(before.length)
    // Every line is a paragraph of its own, exactly once (which of two concurrent lines comes first is the merge's
    // choice, the same for both users); each user's lines stay in the order they typed them.
    expect([...added].sort()).toEqual([...expected].sort())
    for (const from of [fromA, fromB]) {
      expect(added.filter((line) => line.startsWith(from))).toEqual(
        [0, 1, 2].map((round) => `${from}${round}`),
      )
    }
  })

  // Design 2 of #10 (the notes are one Y.Text with block markers): an Enter inserts a marker and copies nothing, so
  // what the other user goes on typing in the line's tail stays there, whole. On the former fragment binding the
  // split copied the tail into a new paragraph and the typist's next keystrokes landed in the old one.
  it('an Enter in the middle of a line while the other user types at its end keeps the typed text whole, in the tail', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    const [, , , accountId] = await accountIds(a, 4)
    if (!accountId) throw new Error('the demo workspace needs four accounts')
    await Promise.all([a.room.open(accountId), b.room.open(accountId)])
    const line = 'Kilo lima mike'
    await a.room.typeInNotes(line, 'new-paragraph')
    await eventually(() => b.room.notesText()).toContain(line)
    await b.room.caretAfter(line)
    const typed = ' november oscar papa quebec'
    const typing = b.room.typeSteadily(typed, 100)
    // B is typing: A splits the line after its first word meanwhile
    await eventually(() => a.room.notesText()).toContain(`${line} nov`)
    await a.room.caretAfter('Kilo')
    await a.page.keyboard.press('Enter')
    await typing

    await eventually(async () => (await a.room.notesBlocks()).join('\n')).toBe(
      (await b.room.notesBlocks()).join('\n'),
    )
    const blocks = await a.room.notesBlocks()
    await session.env.screenshot(a.page, 'notes-split-while-typing')
    // the split line, and nothing of it or of the typed text anywhere else
    const touched = blocks.filter((block) => /Kilo|lima|mike|november|quebec/.test(block))
    expect(touched).toEqual(['Kilo', ` lima mike${typed}`])
  })
})
