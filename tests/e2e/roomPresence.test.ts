import { expect, it } from 'vitest'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds, DEMO } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

e2eDescribe('presence in the account room', () => {
  const session = e2eSession()
  const { signIn } = session

  it('each user sees the other under "Here now" and what they are editing, until blur and leave', async () => {
    const a = await signIn('sales')
    const b = await signIn('sales2')
    const [accountId] = await accountIds(a, 1)
    if (!accountId) throw new Error('the demo workspace needs accounts')
    await Promise.all([a.room.open(accountId), b.room.open(accountId)])

    await eventually(() => a.room.hereNow()).toEqual([DEMO.sales2.name])
    await eventually(() => b.room.hereNow()).toEqual([DEMO.sales.name])
    expect(await b.room.editingNotices()).toEqual([])

    // A field: focus shows the notice to the other user, blur removes it.
    await a.room.field('industry').focus()
    await eventually(() => b.room.editingNotices()).toEqual([`${DEMO.sales.name} is editing Industry`])
    await a.room.field('industry').blur()
    await eventually(() => b.room.editingNotices()).toEqual([])

    // A select publishes its focus too.
    await b.room.field('tier').focus()
    await eventually(() => a.room.editingNotices()).toEqual([`${DEMO.sales2.name} is editing Tier`])
    await b.room.field('tier').blur()
    await eventually(() => a.room.editingNotices()).toEqual([])

    // The notes.
    await a.room.notes.click()
    await eventually(() => b.room.editingNotices()).toEqual([`${DEMO.sales.name} is editing Notes`])
    await a.room.field('city').focus()
    await eventually(() => b.room.editingNotices()).toEqual([`${DEMO.sales.name} is editing City`])

    // Leaving while a field has the focus: the other user no longer sees them, nor what they were editing.
    await a.page.close()
    await eventually(() => b.room.hereNow()).toEqual([])
    await eventually(() => b.room.editingNotices()).toEqual([])
  })
})
