export {
  AUTHOR_MARK_MS,
  AUTHOR_MARKS_MAX,
  AuthorEntry,
  AuthorMark,
  authorsMap,
  authorTimeAt,
  readAuthors,
  withAuthorMark,
} from './authorship.ts'
export {
  BoardCard,
  BoardSnapshot,
  BoardSnapshotColumn,
  BoardSnapshotQuery,
  buildBoardSnapshot,
  SNAPSHOT_CARDS_DEFAULT,
  SNAPSHOT_CARDS_MAX,
} from './board/boardSnapshot.ts'
export {
  type BoardLayout,
  type BoardRecord,
  type CurrencyTotal,
  layoutBoard,
  totalsByCurrency,
} from './board/columns.ts'
export {
  type DealRepair,
  dealRepair,
  layoutDeals,
  type PlaceableDeal,
  type PlacementStage,
  placeDeal,
} from './board/placement.ts'
export {
  columnView,
  compareByPosition,
  compareStrings,
  keyAfterAll,
  keyForIndex,
  type Position,
  type Positioned,
  positionSchema,
  safeKeyBetween,
} from './board/position.ts'
export {
  type DropInput,
  type DropTarget,
  type KeyboardDirection,
  moveByKeyboard,
  positionAt,
  resolveDrop,
} from './board/resolveDrop.ts'
export { DOC_KINDS, type DocKind, type DocRef, docName, parseDocName } from './docNames.ts'
export { isModelError, MODEL_ERROR_CODES, ModelError, type ModelErrorCode } from './errors.ts'
export { ID_PATTERN, idString, newId } from './ids.ts'
export {
  AUTHORS_MAP,
  briefField,
  COLLECTION,
  type CollectionName,
  NOTES_FIELD,
  parseBriefField,
  SETTINGS_KEY,
  SETTINGS_MAP,
} from './layout.ts'
export { type Access, accessFor, accessTo, canWrite, POLICY } from './policy.ts'
export {
  ACCOUNT_SIZES,
  ACCOUNT_TIERS,
  ACCOUNTS,
  Account,
  AccountCreate,
  AccountId,
  AccountPatch,
  createAccount,
  customFieldValues,
  newAccountId,
  updateAccount,
} from './records/account.ts'
export {
  ACTIVITY_TYPES,
  Activity,
  ActivityCreate,
  ActivityId,
  ActivitySubject,
  appendActivity,
  compareActivities,
  FieldChange,
  newActivityId,
  SUBJECT_KINDS,
  TIMELINE,
} from './records/activity.ts'
export { columnKeys, endOfColumn } from './records/boardRecords.ts'
export { COLLECTIONS } from './records/collections.ts'
export {
  CONTACTS,
  Contact,
  ContactCreate,
  ContactId,
  ContactPatch,
  createContact,
  LEAD_SOURCES,
  LEAD_STATUSES,
  newContactId,
  updateContact,
} from './records/contact.ts'
export {
  createDeal,
  currency,
  DEAL_STATUSES,
  DEALS,
  Deal,
  DealCreate,
  DealId,
  type DealOptions,
  DealPatch,
  isRotting,
  moveDeal,
  newDealId,
  updateDeal,
} from './records/deal.ts'
export {
  addChecklistItem,
  BRIEF_TEMPLATE,
  CHECKLIST,
  ChecklistItem,
  ChecklistItemId,
  ChecklistItemPatch,
  checklistFor,
  createHandoff,
  HANDOFF_STATUSES,
  HANDOFF_TRANSITIONS,
  HANDOFFS,
  Handoff,
  HandoffCreate,
  HandoffId,
  HandoffPatch,
  type HandoffStatus,
  moveChecklistItem,
  newHandoffId,
  setHandoffStatus,
  updateChecklistItem,
  updateHandoff,
  writeBriefTemplate,
} from './records/handoff.ts'
export { colorForUser, Member } from './records/member.ts'
export {
  createNotification,
  markAllNotificationsRead,
  markNotificationRead,
  NOTIFICATION_TYPES,
  NOTIFICATIONS,
  Notification,
  NotificationCreate,
  NotificationId,
  NotificationLink,
  newNotificationId,
} from './records/notification.ts'
export { parseInput } from './records/parseInput.ts'
export {
  type CommandOptions,
  calendarDate,
  formatIssues,
  nowOf,
  recordBase,
  SYSTEM_FIELDS,
  timestamp,
  userId,
} from './records/recordBase.ts'
export {
  archiveRecord,
  type BaseRecord,
  collectionMap,
  createRecord,
  jsonEqual,
  observeRecords,
  type ReadResult,
  type RecordCollection,
  type RecordMap,
  readRecord,
  readRecords,
  recordChanges,
  restoreRecord,
  type UpdateOptions,
  updateRecord,
} from './records/recordMap.ts'
export {
  createTask,
  newTaskId,
  TASKS,
  Task,
  TaskCreate,
  TaskId,
  TaskPatch,
  taskDueAt,
  updateTask,
} from './records/task.ts'
export {
  type BucketClock,
  bucketTasks,
  TASK_BUCKETS,
  type TaskBucket,
  taskBucket,
} from './records/taskBuckets.ts'
export {
  createTicket,
  moveTicket,
  newTicketId,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKETS,
  Ticket,
  TicketCreate,
  TicketId,
  type TicketOptions,
  TicketPatch,
  TicketStatus,
  ticketPositionSchema,
  updateTicket,
} from './records/ticket.ts'
export {
  CUSTOM_FIELD_ENTITIES,
  CUSTOM_FIELD_TYPES,
  CustomFieldDef,
  DEFAULT_SLA,
  defaultPipelines,
  initWorkspace,
  Pipeline,
  readSettings,
  removeCustomField,
  removePipeline,
  SlaPolicy,
  STAGE_OUTCOMES,
  Stage,
  setSla,
  settingsMap,
  setWorkspaceName,
  upsertCustomField,
  upsertPipeline,
  type WorkspaceSettings,
} from './records/workspaceSettings.ts'
export { ROLES, Role, TEAMS, Team } from './roles.ts'
export { Prng } from './testing/prng.ts'
export { canonicalJson, convergenceReport, TestConnector } from './testing/TestConnector.ts'
