import { useInbox } from './useInbox.ts'
import '../support/support.css'

/** The unread count next to the Inbox nav link (hidden at zero). */
export function InboxBadge() {
  const { unread } = useInbox()
  return (
    <span className="nav-badge" data-testid="inbox-unread" data-count={unread} hidden={unread === 0}>
      {unread}
    </span>
  )
}
