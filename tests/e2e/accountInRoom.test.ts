import { ACCOUNTS, createAccount, docName } from '@rapport/model'
import { afterEach, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { collabToken } from '../integration/helpers/clients.ts'
import { type CollabClient, openSyncedDoc } from '../integration/helpers/collabClient.ts'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'

/**
 * Issue #12: an account lives in its room `W/account/A` (`W/accounts` is retired) — it shows on the account page and
 * is edited there: the page writes the room.
 */
const WS = 'demo'
const clients: CollabClient[] = []
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

e2eDescribe('the account page on an account held in its room', () => {
  const session = e2eSession()

  it('shows the account from W/account/A and writes its edits there', async () => {
    const a = await session.signIn('sales')
    const cookie = (await a.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
    const url = session.env.server.url
    const wsUrl = `${url.replace(/^http/, 'ws')}/collab`
    const open = async (name: string) => {
      const client = await openSyncedDoc({ wsUrl, name, token: () => collabToken(url, cookie) })
      clients.push(client)
      return client
    }
    const id = 'acc_e2einroom'
    const room = await open(docName({ workspaceId: WS, kind: 'account', accountId: id }))
    createAccount(room.doc, { id, name: 'Roomkeeper GmbH', city: 'Graz' }, 'e2e')

    await a.room.open(id)
    await eventually(() => a.room.fieldValue('name')).toBe('Roomkeeper GmbH')
    await a.room.setField('city', 'Linz')
    const fields = () => room.doc.getMap(ACCOUNTS.name).get(id) as Y.Map<unknown> | undefined
    await eventually(() => fields()?.get('city')).toBe('Linz')
    // And a change in the room reaches the page.
    room.doc.transact(() => fields()?.set('industry', 'Logistics'))
    await eventually(() => a.room.fieldValue('industry')).toBe('Logistics')
    // The account still answers over REST (from the index, which names the room as its document).
    const rest = await fetch(`${url}/api/accounts/${id}`, { headers: { cookie } })
    expect(((await rest.json()) as { city: string }).city).toBe('Linz')
  })
})
