import { NOTIFICATIONS, type Notification } from '@rapport/model'
import { useMemo } from 'react'
import { type UseDocResult, useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'

export interface InboxState {
  inbox: UseDocResult
  /** Non-archived notifications, newest first. */
  items: Notification[]
  unread: number
}

/** The signed-in user's live inbox (`W/inbox/U`). */
export function useInbox(): InboxState {
  const { session } = useSession()
  const inbox = useDoc({ workspaceId: session.workspace.id, kind: 'inbox', userId: session.user.id })
  const records = useLiveRecords(inbox.doc, NOTIFICATIONS)
  return useMemo(() => {
    const items = [...records.byId.values()]
      .filter((n) => !n.archived)
      .sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1))
    return { inbox, items, unread: items.filter((n) => !n.read).length }
  }, [records, inbox])
}
