import { expect, it } from 'vitest'
import { z } from 'zod'
import { CustomFieldsUi } from './support/CustomFieldsUi.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { accountIds, DEMO, type E2eUser } from './support/e2eEnv.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

const AccountBody = z.object({ industry: z.string() }).loose()
const CustomValues = z.object({ customFields: z.record(z.string(), z.unknown()) }).loose()
const FieldDef = z.object({ id: z.string() }).loose()

e2eDescribe('two users set the same account field at the same time', () => {
  const session = e2eSession()
  const { signIn } = session

  it('the user whose value was replaced is told by whom, puts it back in one click, and the timeline keeps both', async () => {
    const sam = await signIn('sales')
    const sasha = await signIn('sales2', { network: true })
    const network = sasha.network
    if (!network) throw new Error('signed in without the network switch')
    const [, , accountId] = await accountIds(sam, 3)
    if (!accountId) throw new Error('the demo workspace needs three accounts')
    await Promise.all([sam.room.open(accountId), sasha.room.open(accountId)])
    const start = await sam.room.fieldValue('industry')
    await eventually(() => sasha.room.fieldValue('industry')).toBe(start)

    // Sasha sets Industry offline; Sam sets it online and the server has it: neither saw the other's value.
    const values = new Map<E2eUser, string>([
      [sam, 'Retail (Sam)'],
      [sasha, 'Fintech (Sasha)'],
    ])
    await network.goOffline(sasha.page)
    await sasha.room.setField('industry', values.get(sasha) ?? '')
    await sam.room.setField('industry', values.get(sam) ?? '')
    await eventually(async () => (await sam.api(`/api/accounts/${accountId}`, AccountBody)).industry).toBe(
      values.get(sam),
    )
    await network.goOnline()

    // Yjs keeps one of the two by client id (random per tab): both end on the same value, the other user lost.
    const both = async () => [await sam.room.fieldValue('industry'), await sasha.room.fieldValue('industry')]
    await eventually(async () => new Set(await both()).size).toBe(1)
    const [kept] = await both()
    const winner = kept === values.get(sam) ? sam : sasha
    const loser = winner === sam ? sasha : sam
    const mine = values.get(loser) ?? ''
    expect(kept).toBe(values.get(winner))

    await eventually(() => loser.room.conflictNotice('industry')).toBe(
      `${DEMO[winner.who].name} changed Industry to '${kept}' — your '${mine}' was replaced`,
    )
    expect(await winner.room.conflictNotice('industry')).toBeNull()
    // The timeline holds both values, each with its author.
    const entryOf = (who: E2eUser, value: string) => (texts: string[]) =>
      texts.some((t) => t.startsWith(DEMO[who.who].name) && t.includes(`“${value}”`))
    await eventually(async () => entryOf(winner, kept ?? '')(await sam.room.timelineTexts())).toBe(true)
    await eventually(async () => entryOf(loser, mine)(await sam.room.timelineTexts())).toBe(true)
    await session.env.screenshot(loser.page, 'field-conflict-notice')

    // One click puts the loser's value back, for everyone; nobody is told of a conflict about that.
    await loser.room.putMineBack('industry')
    await eventually(both).toEqual([mine, mine])
    expect(await loser.room.conflictNotice('industry')).toBeNull()
    expect(await winner.room.conflictNotice('industry')).toBeNull()
    await eventually(async () =>
      (await winner.room.timelineTexts()).some(
        (t) =>
          t.startsWith(DEMO[loser.who].name) && t.includes(`changed Industry from “${kept}” to “${mine}”`),
      ),
    ).toBe(true)
  })

  it('the same for a custom field (one `cf:<fieldId>` entry each): told by whom, put back in one click', async () => {
    const admin = await signIn('admin')
    const created = await admin.page.request.post(`${session.env.server.url}/api/settings/custom-fields`, {
      data: { label: 'Vertical', entity: 'account', type: 'text' },
    })
    expect(created.status()).toBe(201)
    const fieldId = FieldDef.parse(await created.json()).id
    const sam = await signIn('sales')
    const sasha = await signIn('sales2', { network: true })
    const network = sasha.network
    if (!network) throw new Error('signed in without the network switch')
    const [, accountId] = await accountIds(sam, 3)
    if (!accountId) throw new Error('the demo workspace needs two accounts')
    await Promise.all([sam.room.open(accountId), sasha.room.open(accountId)])
    const ui = new Map<E2eUser, CustomFieldsUi>([
      [sam, new CustomFieldsUi(sam.page)],
      [sasha, new CustomFieldsUi(sasha.page)],
    ])
    const input = (who: E2eUser) => (ui.get(who) as CustomFieldsUi).input(fieldId)
    await eventually(async () => (await input(sam).count()) + (await input(sasha).count())).toBe(2)
    const set = async (who: E2eUser, value: string) => {
      await (ui.get(who) as CustomFieldsUi).type(fieldId, value)
      await input(who).blur()
    }

    const values = new Map<E2eUser, string>([
      [sam, 'Retail (Sam)'],
      [sasha, 'Fintech (Sasha)'],
    ])
    await network.goOffline(sasha.page)
    await set(sasha, values.get(sasha) ?? '')
    await set(sam, values.get(sam) ?? '')
    await eventually(
      async () => (await sam.api(`/api/accounts/${accountId}`, CustomValues)).customFields[fieldId],
    ).toBe(values.get(sam))
    await network.goOnline()

    const both = async () => [await input(sam).inputValue(), await input(sasha).inputValue()]
    await eventually(async () => new Set(await both()).size).toBe(1)
    const [kept] = await both()
    const winner = kept === values.get(sam) ? sam : sasha
    const loser = winner === sam ? sasha : sam
    const mine = values.get(loser) ?? ''
    expect(kept).toBe(values.get(winner))

    const name = `cf-${fieldId}`
    await eventually(() => loser.room.conflictNotice(name)).toBe(
      `${DEMO[winner.who].name} changed Vertical to '${kept}' — your '${mine}' was replaced`,
    )
    expect(await winner.room.conflictNotice(name)).toBeNull()

    await loser.room.putMineBack(name)
    await eventually(both).toEqual([mine, mine])
    expect(await loser.room.conflictNotice(name)).toBeNull()
    expect(await winner.room.conflictNotice(name)).toBeNull()
  })
})
