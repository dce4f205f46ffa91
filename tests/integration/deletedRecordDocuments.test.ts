import { rm } from 'node:fs/promises'
import {
  BOARD_POS_MAP,
  CONTACTS,
  collectionMap,
  defaultPipelines,
  docName,
  initWorkspace,
  type Pipeline,
} from '@rapport/model'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { api, seedMember, signIn } from './helpers/clients.ts'
import { type CollabClient, openDoc, openSyncedDoc } from './helpers/collabClient.ts'
import { newDataDir, type StartedServer, startServer } from './helpers/startServer.ts'

/*
 * Deleting (or erasing) a contact, a deal or a ticket for good removes its own document (`W/contact/C`, `W/deal/D`,
 * `W/ticket/T` when it holds nothing else) from the store with it, durably: no empty document is left behind, a
 * restart does not bring it back, and neither does a device that still holds the record in its offline copy (refused
 * with `document-retired`, as a retired document).
 */

const WS = 'ws_deleted_docs'
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function started(dataDir: string): Promise<StartedServer> {
  const s = await startServer({ dataDir })
  cleanups.push(() => s.stop({ keep: true }))
  return s
}

/** Resolves with `reason` once `client` is closed with it (a first close may be a reset, then it reconnects). */
const closedWith = (client: CollabClient, reason: string) =>
  new Promise<string>((resolve) =>
    client.provider.on('close', ({ event }: { event: { reason: string } }) => {
      if (event.reason === reason) resolve(event.reason)
    }),
  )

describe('a record deleted for good', () => {
  it('takes its own document out of the store, for good', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const first = await started(dataDir)
    const admin = await seedMember(first.server, {
      workspaceId: WS,
      email: 'admin@deleted.test',
      role: 'admin',
    })
    const { cookie, token } = await signIn(first.url, admin)
    const contact = await api<{ id: string }>(first.url, '/api/contacts', {
      cookie,
      body: { firstName: 'Ada', lastName: 'Deleted' },
    })
    const kept = await api<{ id: string }>(first.url, '/api/contacts', {
      cookie,
      body: { firstName: 'Kept', lastName: 'Contact' },
    })
    const contactDoc = docName({ workspaceId: WS, kind: 'contact', contactId: contact.body.id })
    // A device that holds the contact (its offline copy), connected while it is deleted.
    const device = await openSyncedDoc({ wsUrl: first.wsUrl, name: contactDoc, token })
    cleanups.push(() => device.destroy())
    const offlineCopy = Y.encodeStateAsUpdate(device.doc)
    const refused = closedWith(device, 'document-retired')

    expect(await first.server.documentStore.list(`${WS}/contact/`)).toContain(contactDoc)
    const deleted = await api(first.url, `/api/contacts/${contact.body.id}`, { cookie, method: 'DELETE' })
    expect(deleted.status).toBe(204)
    expect(await first.server.documentStore.list(`${WS}/contact/`)).not.toContain(contactDoc)
    // Only that document: the other contact's stays.
    expect(await first.server.documentStore.list(`${WS}/contact/`)).toEqual([
      docName({ workspaceId: WS, kind: 'contact', contactId: kept.body.id }),
    ])
    // The connected device is told the document is gone (it drops its copy) and writes nothing back.
    expect(await refused).toBe('document-retired')
    device.destroy()
    // Its id cannot bring the document back.
    const again = await api<{ error: { code: string } }>(first.url, '/api/contacts', {
      cookie,
      body: { id: contact.body.id, firstName: 'Ada', lastName: 'Again' },
    })
    expect(again.status).toBe(410)
    expect(again.body.error.code).toBe('record_deleted')
    // A deal: its document goes, and the board W/board/P drops its card (derived from the deal documents).
    const setup = await first.server.hocuspocus.openDirectConnection(
      docName({ workspaceId: WS, kind: 'workspace' }),
      {
        system: true,
      },
    )
    let pipeline: Pipeline | undefined
    await setup.transact((doc) => {
      pipeline = initWorkspace(doc, { name: 'Deleted', pipelines: defaultPipelines() }, 'setup').pipelines[0]
    })
    await setup.disconnect()
    const deal = await api<{ id: string }>(first.url, '/api/deals', {
      cookie,
      body: { pipelineId: pipeline?.id, title: 'Deleted deal', stageId: pipeline?.stages[0]?.id },
    })
    expect(deal.status).toBe(201)
    const dealDoc = docName({ workspaceId: WS, kind: 'deal', dealId: deal.body.id })
    const boardName = docName({ workspaceId: WS, kind: 'board', pipelineId: pipeline?.id ?? '' })
    const onBoard = async () => {
      const board = await first.server.hocuspocus.openDirectConnection(boardName, { system: true })
      try {
        return board.document?.getMap(BOARD_POS_MAP).has(deal.body.id)
      } finally {
        await board.disconnect()
      }
    }
    await expect.poll(onBoard).toBe(true)
    expect(await first.server.documentStore.list(`${WS}/deal/`)).toEqual([dealDoc])
    expect((await api(first.url, `/api/deals/${deal.body.id}`, { cookie, method: 'DELETE' })).status).toBe(
      204,
    )
    expect(await first.server.documentStore.list(`${WS}/deal/`)).toEqual([])
    await expect.poll(onBoard).toBe(false)

    // An erased contact (POST /api/contacts/:id/erase) leaves no document either.
    const erasedDoc = docName({ workspaceId: WS, kind: 'contact', contactId: kept.body.id })
    expect(
      (await api(first.url, `/api/contacts/${kept.body.id}/erase`, { cookie, method: 'POST' })).status,
    ).toBe(200)
    expect(await first.server.documentStore.list(`${WS}/contact/`)).not.toContain(erasedDoc)
    await first.stop({ keep: true })

    // After a restart: still gone, and a device with the old offline copy cannot sync the contact back.
    const second = await started(dataDir)
    const again2 = await signIn(second.url, admin)
    const stale = new Y.Doc()
    Y.applyUpdate(stale, offlineCopy)
    expect(collectionMap(stale, CONTACTS).has(contact.body.id)).toBe(true)
    const late = openDoc({ wsUrl: second.wsUrl, name: contactDoc, token: again2.token, doc: stale })
    cleanups.push(() => late.destroy())
    expect(await closedWith(late, 'document-retired')).toBe('document-retired')
    late.destroy()
    expect(await second.server.documentStore.list(`${WS}/contact/`)).not.toContain(contactDoc)
    expect(
      (await api(second.url, `/api/contacts/${contact.body.id}`, { cookie: again2.cookie })).status,
    ).toBe(404)
    const contacts = await api<{ total: number }>(second.url, '/api/contacts', { cookie: again2.cookie })
    expect(contacts.body.total).toBe(0)
    expect(await second.server.documentStore.list(`${WS}/contact/`)).toEqual([])
  })
})
