import { useState } from 'react'
import { PanelHeader } from '../../ui/PanelHeader.tsx'
import type { AccountDealRef } from './activityApi.ts'
import { type ContactOption, LogActivityForm } from './LogActivityForm.tsx'

/**
 * A timeline panel's title and, for members who may write the room, "Log activity", which opens the log form below
 * it (closed again once logged or cancelled). Without an account there is no room to log into.
 */
export function TimelineHeader({
  title,
  accountId,
  canLog,
  contacts,
  deals,
  defaultDealId,
  defaultContactIds,
  onOpen,
}: {
  title: string
  accountId: string | null | undefined
  canLog: boolean
  contacts: readonly ContactOption[]
  deals: readonly AccountDealRef[]
  defaultDealId?: string | null
  defaultContactIds?: readonly string[]
  /** The log form opens: ask again for its contact and deal options (one created meanwhile is then offered). */
  onOpen?: () => void
}) {
  const [logging, setLogging] = useState(false)
  return (
    <>
      <PanelHeader
        title={title}
        action={
          canLog && accountId && !logging
            ? {
                label: 'Log activity',
                testId: 'log-activity-open',
                onClick: () => {
                  onOpen?.()
                  setLogging(true)
                },
              }
            : null
        }
      />
      {logging && accountId && (
        <LogActivityForm
          accountId={accountId}
          contacts={contacts}
          deals={deals}
          defaultDealId={defaultDealId}
          defaultContactIds={defaultContactIds}
          onLogged={() => setLogging(false)}
          onCancel={() => setLogging(false)}
        />
      )}
    </>
  )
}
