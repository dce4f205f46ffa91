/**
 * Top-level names inside every Yjs document (see docs/schema.md). Nothing else spells these strings.
 *
 * | document      | shared types                                                                 |
 * | ------------- | ---------------------------------------------------------------------------- |
 * | `W/workspace` | `getMap(SETTINGS_MAP)`                                                       |
 * | `W/accounts`  | `getMap(COLLECTION.accounts)`                                                |
 * | `W/contacts`  | `getMap(COLLECTION.contacts)`                                                |
 * | `W/pipeline/P`| `getMap(COLLECTION.deals)`                                                   |
 * | `W/support`   | `getMap(COLLECTION.tickets)`, `getMap(COLLECTION.ticketMessages)` (server-written) |
 * | `W/account/A` | `getXmlFragment(NOTES_FIELD)`, `getMap(COLLECTION.timeline/tasks/handoffs/checklist)`, `getXmlFragment(briefField(h))` |
 * | `W/inbox/U`   | `getMap(COLLECTION.notifications)`                                           |
 * | `W/contact/C` | `getMap(COLLECTION.contacts)`, one entry `C` (issue #12, reserved)           |
 * | `W/deal/D`    | `getMap(COLLECTION.deals)`, one entry `D` (issue #12, reserved)              |
 * | `W/ticket/T`  | `getMap(COLLECTION.tickets)` one entry `T`, `getMap(COLLECTION.ticketMessages)` (issue #12, reserved) |
 * | `W/board/P`   | `getMap(BOARD_POS_MAP)`: dealId → board entry tuple, server-written (issue #12, reserved) |
 * | `W/queue`     | server-written support board (issue #12, reserved)                           |
 * | `W/feed`      | none: stateless change-feed messages only (issue #12, reserved)              |
 */
export const COLLECTION = {
  accounts: 'accounts',
  contacts: 'contacts',
  deals: 'deals',
  tickets: 'tickets',
  ticketMessages: 'ticketMessages',
  timeline: 'timeline',
  tasks: 'tasks',
  handoffs: 'handoffs',
  checklist: 'checklist',
  notifications: 'notifications',
} as const
export type CollectionName = (typeof COLLECTION)[keyof typeof COLLECTION]

/** The board document's (`W/board/P`) single map: dealId → `[stageId, key, 'o' | 'w' | 'l', enteredAtMinute]`. */
export const BOARD_POS_MAP = 'pos'

/** The workspace document's single map. */
export const SETTINGS_MAP = 'settings'

/** Keys of the workspace `settings` map. */
export const SETTINGS_KEY = {
  name: 'name',
  pipelines: 'pipelines',
  customFields: 'customFields',
  sla: 'sla',
  currency: 'currency',
  /** Days a won or lost card stays on the board `W/board/P` after entering its stage (issue #12). */
  closedDays: 'closedDays',
  /** Layout version of this document (`SETTINGS_FORMAT`, docs/schema.md §3.8), raised by the server's conversion. */
  format: 'format',
} as const

/** The account room's map of who wrote what (clientID → author), written by the server only (see authorship.ts). */
export const AUTHORS_MAP = 'authors'

/** The Tiptap fragment holding an account's shared notes (Collaboration `field`). */
export const NOTES_FIELD = 'notes'

const BRIEF_PREFIX = 'brief:'

/** The Tiptap fragment holding the brief of handoff `handoffId` (Collaboration `field`). */
export function briefField(handoffId: string): string {
  return `${BRIEF_PREFIX}${handoffId}`
}

/** The handoff id of a `brief:<id>` field name, or `null`. */
export function parseBriefField(field: string): string | null {
  return field.startsWith(BRIEF_PREFIX) && field.length > BRIEF_PREFIX.length
    ? field.slice(BRIEF_PREFIX.length)
    : null
}

/**
 * Notes text format version 2 (docs/schema.md "Notes text format"): the `Y.Text` holding an account's notes, one
 * text per field with block markers (packages/model/src/notes/). Not yet written by any client: the server migrates
 * the `notes` fragment to it in a later step.
 */
export const NOTES_TEXT_FIELD = 'notesText'

const BRIEF_TEXT_PREFIX = 'briefText:'

/** The `Y.Text` (format version 2) holding the brief of handoff `handoffId`. */
export function briefTextField(handoffId: string): string {
  return `${BRIEF_TEXT_PREFIX}${handoffId}`
}

/** The handoff id of a `briefText:<id>` field name, or `null`. */
export function parseBriefTextField(field: string): string | null {
  return field.startsWith(BRIEF_TEXT_PREFIX) && field.length > BRIEF_TEXT_PREFIX.length
    ? field.slice(BRIEF_TEXT_PREFIX.length)
    : null
}
