import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  appendDocToText,
  briefField,
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  type NotesNode,
  notesTextToDoc,
  parseBriefTextField,
} from '@rapport/model'
import { lowdbStore } from '@rapport/server'
import { expect } from 'vitest'
import * as Y from 'yjs'
import { api, collabToken, login } from './clients.ts'
import { openSyncedDoc, waitForAcked } from './collabClient.ts'
import { newDataDir, startServer } from './startServer.ts'

export const DEMO_ADMIN = { email: 'admin@rapport.dev', password: 'rapport-demo' }

/** What the fixture wrote, to look for after a migration. */
export interface FormatOneFacts {
  workspaceId: string
  accountId: string
  noteText: string
  activityId: string
  activityOutcome: string
  handoffId: string
  ticketId: string
  ticketMessageId: string
  ticketReply: string
  customFieldId: string
  customFieldValue: string
  taskId: string
  taskTitle: string
  /** Archived, with a custom-field value (contacts are in `W/contacts` in format 1). */
  archivedContactId: string
  contactCustomFieldId: string
  contactCustomFieldValue: string
  /** A ticket with a custom-field value and an internal note besides the reply (tickets and their messages are in
   * `W/support` in format 1). */
  ticketCustomFieldId: string
  ticketCustomFieldValue: string
  ticketNoteId: string
  /** A deal with a custom-field value (deals are in `W/pipeline/P` in format 1). */
  dealId: string
  dealCustomFieldId: string
  dealCustomFieldValue: number
  counts: Record<'accounts' | 'contacts' | 'deals' | 'tickets', number>
}

export interface FormatOneDataDir {
  dataDir: string
  facts: FormatOneFacts
  /** Every document's stored state (log merged) as the format-1 store holds it after the stop, by name. */
  documents: Map<string, Uint8Array>
}

const ok = <T>(response: { status: number; body: T }, what: string): T => {
  expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBeLessThan(300)
  return response.body
}

export const recordCounts = async (
  url: string,
  cookie: string,
): Promise<Record<'accounts' | 'contacts' | 'deals' | 'tickets', number>> => {
  const out = { accounts: 0, contacts: 0, deals: 0, tickets: 0 }
  for (const kind of ['accounts', 'contacts', 'deals', 'tickets'] as const) {
    out[kind] = ok(
      await api<{ total: number }>(url, `/api/${kind}?limit=1&archived=all`, { cookie }),
      kind,
    ).total
  }
  return out
}

/**
 * Format 1 kept every deal of pipeline P in ONE document `W/pipeline/P` (map `deals`, one entry per deal); today's
 * server writes `W/deal/D` per deal and derives `W/board/P`. This puts the deals back the format-1 way: the states of
 * a pipeline's deal documents merged into one document (each deal's items keep their own writers, as when many
 * clients wrote one pipeline document), deal and board documents removed.
 */
async function toFormatOneDeals(store: ReturnType<typeof lowdbStore>): Promise<void> {
  const byPipeline = new Map<string, Uint8Array[]>()
  for (const name of await store.list()) {
    const [workspaceId, kind] = name.split('/')
    if (kind === 'board') await store.delete(name)
    if (kind !== 'deal') continue
    const state = await store.load(name)
    await store.delete(name)
    if (!state) continue
    const doc = new Y.Doc()
    Y.applyUpdate(doc, state)
    const [fields] = [...doc.getMap<Y.Map<unknown>>('deals').values()]
    const pipelineId = fields?.get('pipelineId')
    doc.destroy()
    if (typeof pipelineId !== 'string') continue
    const pipeline = `${workspaceId}/pipeline/${pipelineId}`
    byPipeline.set(pipeline, [...(byPipeline.get(pipeline) ?? []), state])
  }
  for (const [name, states] of byPipeline) await store.store(name, Y.mergeUpdates(states))
}

/**
 * Format 1 kept every contact of the workspace in ONE document `W/contacts` (map `contacts`); today's server writes
 * `W/contact/C` per contact. This puts them back the format-1 way: the states of the workspace's contact documents
 * merged into one document `W/contacts`, contact documents removed.
 */
async function toFormatOneContacts(store: ReturnType<typeof lowdbStore>): Promise<void> {
  const byWorkspace = new Map<string, Uint8Array[]>()
  for (const name of await store.list()) {
    const [workspaceId, kind] = name.split('/')
    if (kind !== 'contact') continue
    const state = await store.load(name)
    await store.delete(name)
    if (!state) continue
    const contacts = `${workspaceId}/contacts`
    byWorkspace.set(contacts, [...(byWorkspace.get(contacts) ?? []), state])
  }
  for (const [name, states] of byWorkspace) await store.store(name, Y.mergeUpdates(states))
}

/** A copy of `value` for another document (shared types cloned, plain values as they are). */
const copyOf = (value: unknown): unknown => (value instanceof Y.AbstractType ? value.clone() : value)

/**
 * Format 1 kept every account of the workspace in ONE document `W/accounts` (map `accounts`); today's server keeps
 * account A in its room `W/account/A` (map `accounts`, the one entry A, besides notes, timeline, tasks, …). This puts
 * them back the format-1 way: each room's entry copied into `W/accounts`, and the room rewritten without its
 * `accounts` map (its other shared types copied as they are: XML fragments — notes, briefs — and maps), so the room
 * holds no trace of the entry, as in format 1.
 */
const briefFieldOfText = (root: string): string | null => {
  const handoffId = parseBriefTextField(root)
  return handoffId ? briefField(handoffId) : null
}

/** ProseMirror nodes as y-prosemirror elements (attributes = attrs, text with each mark as a format attribute). */
function toXmlNodes(nodes: readonly NotesNode[]): Array<Y.XmlElement | Y.XmlText> {
  return nodes.map((node) => {
    if (node.type === 'text') {
      const text = new Y.XmlText()
      const attributes = Object.fromEntries((node.marks ?? []).map((mark) => [mark.type, mark.attrs ?? {}]))
      text.applyDelta([{ insert: node.text ?? '', attributes }])
      return text
    }
    const element = new Y.XmlElement(node.type)
    for (const [key, value] of Object.entries(node.attrs ?? {})) element.setAttribute(key, value as string)
    element.insert(0, toXmlNodes(node.content ?? []))
    return element
  })
}

async function toFormatOneAccounts(store: ReturnType<typeof lowdbStore>): Promise<void> {
  const byWorkspace = new Map<string, Y.Doc>()
  for (const name of (await store.list()).sort()) {
    const [workspaceId, kind] = name.split('/')
    if (kind !== 'account' || !workspaceId) continue
    const state = await store.load(name)
    if (!state) continue
    const room = new Y.Doc()
    Y.applyUpdate(room, state)
    const entries = room.getMap<unknown>('accounts')
    let accounts = byWorkspace.get(workspaceId)
    if (!accounts) {
      accounts = new Y.Doc()
      byWorkspace.set(workspaceId, accounts)
    }
    const target = accounts.getMap<unknown>('accounts')
    for (const [id, fields] of entries) target.set(id, copyOf(fields))
    const old = new Y.Doc()
    for (const [root, type] of room.share) {
      if (root === 'accounts') continue
      const fragmentName = root === NOTES_TEXT_FIELD ? NOTES_FIELD : briefFieldOfText(root)
      if (fragmentName !== null) {
        // Notes text v2 (today) was a y-prosemirror fragment in format 1.
        const doc = notesTextToDoc(room.getText(root))
        old.getXmlFragment(fragmentName).insert(0, toXmlNodes(doc.content ?? []))
      } else if (type._start !== null) {
        const fragment = room.getXmlFragment(root)
        old.getXmlFragment(root).insert(
          0,
          fragment.toArray().map((node) => node.clone() as Y.XmlElement | Y.XmlText),
        )
      } else {
        const map = room.getMap<unknown>(root)
        const copy = old.getMap<unknown>(root)
        for (const [key, value] of map) copy.set(key, copyOf(value))
      }
    }
    await store.store(name, Y.encodeStateAsUpdate(old))
    room.destroy()
    old.destroy()
  }
  for (const [workspaceId, doc] of byWorkspace) {
    await store.store(`${workspaceId}/accounts`, Y.encodeStateAsUpdate(doc))
    doc.destroy()
  }
}

/**
 * Format 1 kept every ticket of the workspace and every message of every ticket in ONE document `W/support` (maps
 * `tickets` and `ticketMessages`); today's server writes `W/ticket/T` per ticket with its messages. This puts them
 * back the format-1 way: the states of the workspace's ticket documents merged into one document `W/support`,
 * ticket documents removed.
 */
async function toFormatOneTickets(store: ReturnType<typeof lowdbStore>): Promise<void> {
  const byWorkspace = new Map<string, Uint8Array[]>()
  for (const name of await store.list()) {
    const [workspaceId, kind] = name.split('/')
    if (kind !== 'ticket') continue
    const state = await store.load(name)
    await store.delete(name)
    if (!state) continue
    const support = `${workspaceId}/support`
    byWorkspace.set(support, [...(byWorkspace.get(support) ?? []), state])
  }
  for (const [name, states] of byWorkspace) await store.store(name, Y.mergeUpdates(states))
}

/**
 * A format-1 data directory exactly as main wrote it before format.json existed: the real server with the lowdb
 * store (documents in `docs/`, fsync on) on an empty directory, so the demo workspace is seeded; then edits through
 * a real provider and the REST API — note text in an account room, a logged call (timeline entry), a handoff
 * (created and sent), a ticket reply and internal note, custom fields with values, a task, an archived contact —
 * and a clean stop.
 * format.json is removed if anything wrote it. Reused by every migration test (1 → 2 and the ones after it).
 */
export const buildFormatOneDataDir = async (): Promise<FormatOneDataDir> => {
  const dataDir = await newDataDir()
  const started = await startServer({ dataDir, store: 'lowdb', seedDemo: true, fsync: true })
  try {
    const { url, wsUrl } = started
    const cookie = await login(url, DEMO_ADMIN.email, DEMO_ADMIN.password)
    const me = ok(await api<{ workspace: { id: string } }>(url, '/api/auth/me', { cookie }), 'me')
    const workspaceId = me.workspace.id
    const [account] = ok(
      await api<{ items: Array<{ id: string }> }>(url, '/api/accounts?sort=name&limit=1', { cookie }),
      'accounts',
    ).items
    if (!account) throw new Error('the demo seed has no account')
    const accountId = account.id

    // Notes: a paragraph typed into the room's notes text through a real provider (toFormatOneAccounts makes it a
    // fragment, as format 1 stored notes).
    const noteText = 'Written before the migration: keep every word.'
    const room = await openSyncedDoc({
      wsUrl,
      name: `${workspaceId}/account/${accountId}`,
      token: () => collabToken(url, cookie),
    })
    try {
      appendDocToText(room.doc.getText(NOTES_TEXT_FIELD), {
        type: 'doc',
        content: [{ type: 'paragraph', content: [{ type: 'text', text: noteText }] }],
      })
      await waitForAcked(room)
    } finally {
      room.destroy()
    }

    const activityOutcome = 'Called about the data migration'
    const activity = ok(
      await api<{ id: string }>(url, `/api/accounts/${accountId}/activities`, {
        cookie,
        body: { type: 'call', at: Date.now() - 60_000, durationMins: 15, outcome: activityOutcome },
      }),
      'activity',
    )
    const handoff = ok(
      await api<{ id: string }>(url, `/api/accounts/${accountId}/handoffs`, { cookie, body: {} }),
      'handoff',
    )
    ok(
      await api(url, `/api/accounts/${accountId}/handoffs/${handoff.id}/send`, {
        cookie,
        body: { toTeam: 'support' },
      }),
      'send handoff',
    )

    const [ticket] = ok(
      await api<{ items: Array<{ id: string }> }>(url, '/api/tickets?sort=subject&limit=1', { cookie }),
      'tickets',
    ).items
    if (!ticket) throw new Error('the demo seed has no ticket')
    const ticketReply = 'Reply written before the migration'
    const message = ok(
      await api<{ id: string }>(url, `/api/tickets/${ticket.id}/messages`, {
        cookie,
        body: { body: ticketReply },
      }),
      'ticket reply',
    )
    const note = ok(
      await api<{ id: string }>(url, `/api/tickets/${ticket.id}/messages`, {
        cookie,
        body: { kind: 'internal', body: 'Internal note written before the migration' },
      }),
      'ticket note',
    )
    const ticketField = ok(
      await api<{ id: string }>(url, '/api/settings/custom-fields', {
        cookie,
        body: { label: 'Migration ticket code', entity: 'ticket', type: 'text' },
      }),
      'ticket custom field',
    )
    const ticketCustomFieldValue = 'TKT-MIG-9'
    ok(
      await api(url, `/api/tickets/${ticket.id}`, {
        method: 'PATCH',
        cookie,
        body: { customFields: { [ticketField.id]: ticketCustomFieldValue } },
      }),
      'ticket custom field value',
    )

    const field = ok(
      await api<{ id: string }>(url, '/api/settings/custom-fields', {
        cookie,
        body: { label: 'Migration code', entity: 'account', type: 'text' },
      }),
      'custom field',
    )
    const customFieldValue = 'MIG-0001'
    ok(
      await api(url, `/api/accounts/${accountId}`, {
        method: 'PATCH',
        cookie,
        body: { customFields: { [field.id]: customFieldValue } },
      }),
      'custom field value',
    )

    const taskTitle = 'Check the records after the migration'
    const task = ok(
      await api<{ id: string }>(url, '/api/tasks', { cookie, body: { title: taskTitle, accountId } }),
      'task',
    )

    const [contact] = ok(
      await api<{ items: Array<{ id: string }> }>(url, '/api/contacts?sort=lastName&limit=1', { cookie }),
      'contacts',
    ).items
    if (!contact) throw new Error('the demo seed has no contact')
    const contactField = ok(
      await api<{ id: string }>(url, '/api/settings/custom-fields', {
        cookie,
        body: { label: 'Migration badge', entity: 'contact', type: 'text' },
      }),
      'contact custom field',
    )
    const contactCustomFieldValue = 'badge-7'
    ok(
      await api(url, `/api/contacts/${contact.id}`, {
        method: 'PATCH',
        cookie,
        body: { customFields: { [contactField.id]: contactCustomFieldValue } },
      }),
      'contact custom field value',
    )
    ok(await api(url, `/api/contacts/${contact.id}/archive`, { method: 'POST', cookie }), 'archive')

    const dealField = ok(
      await api<{ id: string }>(url, '/api/settings/custom-fields', {
        cookie,
        body: { label: 'Migration score', entity: 'deal', type: 'number' },
      }),
      'deal custom field',
    )
    const [deal] = ok(
      await api<{ items: Array<{ id: string }> }>(url, '/api/deals?sort=title&limit=1', { cookie }),
      'deals',
    ).items
    if (!deal) throw new Error('the demo seed has no deal')
    const dealCustomFieldValue = 42
    ok(
      await api(url, `/api/deals/${deal.id}`, {
        method: 'PATCH',
        cookie,
        body: { customFields: { [dealField.id]: dealCustomFieldValue } },
      }),
      'deal custom field value',
    )

    const counts = await recordCounts(url, cookie)
    await started.stop({ keep: true })

    await rm(join(dataDir, 'format.json'), { force: true })
    const store = lowdbStore({ dir: join(dataDir, 'docs') })
    await toFormatOneDeals(store)
    await toFormatOneContacts(store)
    await toFormatOneTickets(store)
    await toFormatOneAccounts(store)
    const documents = new Map<string, Uint8Array>()
    for (const name of await store.list()) {
      const state = await store.load(name)
      if (state) documents.set(name, state)
    }
    await store.close()
    return {
      dataDir,
      documents,
      facts: {
        workspaceId,
        accountId,
        noteText,
        activityId: activity.id,
        activityOutcome,
        handoffId: handoff.id,
        ticketId: ticket.id,
        ticketMessageId: message.id,
        ticketReply,
        ticketNoteId: note.id,
        ticketCustomFieldId: ticketField.id,
        ticketCustomFieldValue,
        customFieldId: field.id,
        customFieldValue,
        taskId: task.id,
        taskTitle,
        archivedContactId: contact.id,
        contactCustomFieldId: contactField.id,
        contactCustomFieldValue,
        dealId: deal.id,
        dealCustomFieldId: dealField.id,
        dealCustomFieldValue,
        counts,
      },
    }
  } catch (error) {
    await started.stop({ keep: true }).catch(() => {})
    throw error
  }
}
