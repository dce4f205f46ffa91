import type { DocRef } from '@rapport/model'
import { kindOfDoc, type RecordKind } from './recordKinds.ts'

/**
 * The record kinds an account room `W/account/A` holds: its account (`getMap('accounts')`, the one entry A — issue
 * #12, "Records at real size") and its tasks (`getMap('tasks')`). Accounts come first: the room's notes take the
 * account's name for their search title.
 */
export const ACCOUNT_ROOM_KINDS: readonly RecordKind[] = ['accounts', 'tasks']

/** Every record kind a document holds, in indexing order (empty for documents that hold no records). */
export function kindsOfDoc(ref: DocRef): readonly RecordKind[] {
  if (ref.kind === 'account') return ACCOUNT_ROOM_KINDS
  const kind = kindOfDoc(ref)
  return kind ? [kind] : []
}
