import type { RoomHistory } from '../history/RoomHistory.ts'
import type { Logger } from '../log/logger.ts'
import type { Projection } from '../projection/Projection.ts'
import type { DocumentStore } from '../storage/DocumentStore.ts'
import { withoutDocuments } from '../storage/withoutDocuments.ts'
import type { ReminderScheduler } from '../tasks/ReminderScheduler.ts'

/** The prefix every document name of a workspace starts with (`docName` builds `W/<kind>…`). */
export const workspacePrefix = (workspaceId: string): string => `${workspaceId}/`

/**
 * A document store that forgets the documents of deleted workspaces: loads find nothing, stores and appended
 * updates are dropped, so a write still on its way when a workspace is deleted (a debounced store, a server
 * write) can never bring its documents back. Listing and deleting pass through (the purge needs them).
 */
export function withoutRemovedWorkspaces(
  store: DocumentStore,
  isRemoved: (workspaceId: string) => boolean,
): DocumentStore {
  // Every document name of a workspace starts with its prefix (`workspacePrefix`): no need to parse the whole name
  // (an import writes thousands per second through here).
  const removed = (name: string): boolean => {
    const slash = name.indexOf('/')
    return slash > 0 && isRemoved(name.slice(0, slash))
  }
  return withoutDocuments(store, removed)
}

/** Deletes every stored document of `workspaceId`; returns how many. */
export async function deleteWorkspaceDocuments(store: DocumentStore, workspaceId: string): Promise<number> {
  const names = await store.list(workspacePrefix(workspaceId))
  for (const name of names) await store.delete(name)
  return names.length
}

/** What holds a workspace's data besides its metadata. */
export interface WorkspaceHolders {
  store: DocumentStore
  projection: Pick<Projection, 'dropWorkspace'>
  history: Pick<RoomHistory, 'forgetWorkspace'>
  reminders: Pick<ReminderScheduler, 'forgetWorkspace'>
  logger: Logger
}

/**
 * Removes what a deleted workspace left on the server: its records and search index (projection), its room versions,
 * its fired reminders and every stored document. Run after its metadata is gone and it is recorded as removed
 * (the store then drops any late write); run again at start for every removed workspace (an interrupted delete).
 */
export async function purgeWorkspace(holders: WorkspaceHolders, workspaceId: string): Promise<number> {
  holders.projection.dropWorkspace(workspaceId)
  await holders.history.forgetWorkspace(workspaceId)
  await holders.reminders.forgetWorkspace(workspaceId)
  const documents = await deleteWorkspaceDocuments(holders.store, workspaceId)
  if (documents > 0) holders.logger.info('workspace data removed', { workspaceId, documents })
  return documents
}
