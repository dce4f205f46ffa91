import { ACCOUNTS } from '@rapport/model'
import { useMemo, useState } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { Avatar } from '../../ui/Avatar.tsx'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'

const PAGE = 200

/** All accounts, live, filterable; each opens its account room. */
export function AccountsPage() {
  const { session } = useSession()
  const memberOf = useMemberLookup()
  const accountsDoc = useDoc({ workspaceId: session.workspace.id, kind: 'accounts' })
  const accounts = useLiveRecords(accountsDoc.doc, ACCOUNTS)
  const [q, setQ] = useState('')
  const rows = useMemo(() => {
    const text = q.trim().toLowerCase()
    return [...accounts.byId.values()]
      .filter((a) => !a.archived)
      .filter((a) => !text || `${a.name} ${a.domain} ${a.industry} ${a.city}`.toLowerCase().includes(text))
      .sort((a, b) => a.name.localeCompare(b.name))
  }, [accounts, q])

  if (accountsDoc.noAccess)
    return <div className="notice notice--error">You do not have access to accounts.</div>
  return (
    <div className="list-page">
      <div className="toolbar">
        <h1 className="page__title">Accounts</h1>
        <input
          className="toolbar__search"
          type="search"
          placeholder="Filter accounts…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          data-testid="accounts-filter"
        />
        <span className="muted">{rows.length} accounts</span>
      </div>
      {!accountsDoc.ready ? (
        <div className="empty">Loading accounts…</div>
      ) : (
        <table className="table" data-testid="accounts-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Industry</th>
              <th>Tier</th>
              <th>City</th>
              <th>Owner</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, PAGE).map((a) => {
              const owner = memberOf(a.ownerId)
              return (
                <tr key={a.id} data-testid={`account-row-${a.id}`}>
                  <td>
                    <a href={`#/accounts/${a.id}`}>{a.name}</a>
                    <div className="muted">{a.domain}</div>
                  </td>
                  <td>{a.industry}</td>
                  <td>
                    <span className={`tier tier--${a.tier}`}>{a.tier}</span>
                  </td>
                  <td>{[a.city, a.country].filter(Boolean).join(', ')}</td>
                  <td>{owner && <Avatar name={owner.name} color={owner.color} size="sm" />}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </div>
  )
}
