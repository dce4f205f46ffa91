import type * as Y from 'yjs'
import { z } from 'zod'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, nowOf, recordBase, timestamp, userId } from './recordBase.ts'
import { collectionMap, createRecord, type RecordCollection, readRecords, updateRecord } from './recordMap.ts'

export const NotificationId = idString.brand<'NotificationId'>()
export type NotificationId = z.infer<typeof NotificationId>
export function newNotificationId(): NotificationId {
  return newId('ntf') as NotificationId
}

export const NOTIFICATION_TYPES = ['handoff', 'assignment', 'mention', 'reminder'] as const

export const NotificationLink = z.object({
  docName: z.string().max(200).optional(),
  accountId: idString.optional(),
  dealId: idString.optional(),
  ticketId: idString.optional(),
  handoffId: idString.optional(),
  taskId: idString.optional(),
})
export type NotificationLink = z.infer<typeof NotificationLink>

const notificationFields = {
  type: z.enum(NOTIFICATION_TYPES),
  at: timestamp,
  actorId: userId.nullable(),
  text: z.string().max(1000),
  link: NotificationLink,
  read: z.boolean(),
}

/** A notification in user U's inbox (`W/inbox/U`, map `notifications`). */
export const Notification = z.object({ id: NotificationId, ...recordBase, ...notificationFields })
export type Notification = z.infer<typeof Notification>

export const NotificationCreate = z.object({
  id: idString.optional(),
  type: notificationFields.type,
  at: notificationFields.at.optional(),
  actorId: notificationFields.actorId,
  text: notificationFields.text,
  link: notificationFields.link.default({}),
})
export type NotificationCreate = z.input<typeof NotificationCreate>

export const NOTIFICATIONS: RecordCollection<Notification> = {
  name: COLLECTION.notifications,
  schema: Notification,
}

export function createNotification(
  doc: Y.Doc,
  input: NotificationCreate,
  origin: unknown,
  options?: CommandOptions,
): Notification {
  const { id, at, ...fields } = parseInput(NotificationCreate, input)
  const now = nowOf(options)
  return createRecord(
    doc,
    NOTIFICATIONS,
    {
      id: id ?? newNotificationId(),
      createdAt: now,
      updatedAt: now,
      archived: false,
      at: at ?? now,
      read: false,
      ...fields,
    },
    origin,
  )
}

export function markNotificationRead(
  doc: Y.Doc,
  id: string,
  read: boolean,
  origin: unknown,
  options?: CommandOptions,
): Notification {
  return updateRecord(doc, NOTIFICATIONS, id, { read }, origin, options)
}

/** Marks every valid unread notification read, in one transaction; returns how many changed. */
export function markAllNotificationsRead(doc: Y.Doc, origin: unknown, options?: CommandOptions): number {
  const unread = readRecords(collectionMap(doc, NOTIFICATIONS), Notification).records.filter((n) => !n.read)
  doc.transact(() => {
    for (const n of unread) updateRecord(doc, NOTIFICATIONS, n.id, { read: true }, origin, options)
  }, origin)
  return unread.length
}
