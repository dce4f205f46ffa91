import { z } from 'zod'
import { request } from '../auth/authApi.ts'

/** The record kinds that can be archived, restored and deleted for good (REST `/api/<kind>/:id/…`). */
export const TRASH_KINDS = [
  { kind: 'accounts', label: 'Accounts' },
  { kind: 'contacts', label: 'Contacts' },
  { kind: 'deals', label: 'Deals' },
  { kind: 'tickets', label: 'Tickets' },
  { kind: 'tasks', label: 'Tasks' },
] as const
export type TrashKind = (typeof TRASH_KINDS)[number]['kind']

/** What the Trash shows of an archived record, whatever its kind. */
export const TrashRow = z
  .object({
    id: z.string(),
    updatedAt: z.number(),
    name: z.string().optional(),
    title: z.string().optional(),
    subject: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    accountName: z.string().nullable().optional(),
  })
  .passthrough()
export type TrashRow = z.infer<typeof TrashRow>

/** A record's name in plain words, for any kind. */
export function trashLabel(row: TrashRow): string {
  const person = `${row.firstName ?? ''} ${row.lastName ?? ''}`.trim()
  return row.name || row.title || row.subject || person || row.id
}

const Page = z.object({ items: z.array(TrashRow), total: z.number() })

export const trashApi = {
  list: (kind: TrashKind) => request(`/api/${kind}?archived=true&limit=200`, Page),
  archive: (kind: TrashKind, id: string) =>
    request(`/api/${kind}/${encodeURIComponent(id)}/archive`, z.unknown(), { method: 'POST', body: '{}' }),
  restore: (kind: TrashKind, id: string) =>
    request(`/api/${kind}/${encodeURIComponent(id)}/restore`, z.unknown(), { method: 'POST', body: '{}' }),
  remove: (kind: TrashKind, id: string) =>
    fetch(`/api/${kind}/${encodeURIComponent(id)}`, { method: 'DELETE', credentials: 'same-origin' }).then(
      async (res) => {
        if (!res.ok) {
          const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
          throw new Error(body?.error?.message ?? `Could not delete (${res.status})`)
        }
      },
    ),
}
