import type { CollectionName } from '../layout.ts'
import { ACCOUNTS } from './account.ts'
import { TIMELINE } from './activity.ts'
import { CONTACTS } from './contact.ts'
import { DEALS } from './deal.ts'
import { CHECKLIST, HANDOFFS } from './handoff.ts'
import { NOTIFICATIONS } from './notification.ts'
import type { BaseRecord, RecordCollection } from './recordMap.ts'
import { TASKS } from './task.ts'
import { TICKETS } from './ticket.ts'
import { TICKET_MESSAGES } from './ticketMessage.ts'

/** Every record collection by its map name (for generic consumers such as the server's projection). */
export const COLLECTIONS: Readonly<Record<CollectionName, RecordCollection<BaseRecord>>> = {
  accounts: ACCOUNTS,
  contacts: CONTACTS,
  deals: DEALS,
  tickets: TICKETS,
  ticketMessages: TICKET_MESSAGES,
  timeline: TIMELINE,
  tasks: TASKS,
  handoffs: HANDOFFS,
  checklist: CHECKLIST,
  notifications: NOTIFICATIONS,
}
