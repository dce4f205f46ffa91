import { ACCOUNTS, CONTACTS } from '@rapport/model'
import { useMemo, useState } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'

const PAGE = 200

/** All contacts, live, with their account. */
export function ContactsPage() {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const contactsDoc = useDoc({ workspaceId, kind: 'contacts' })
  const accountsDoc = useDoc({ workspaceId, kind: 'accounts' })
  const contacts = useLiveRecords(contactsDoc.doc, CONTACTS)
  const accounts = useLiveRecords(accountsDoc.doc, ACCOUNTS)
  const [q, setQ] = useState('')
  const rows = useMemo(() => {
    const text = q.trim().toLowerCase()
    return [...contacts.byId.values()]
      .filter((c) => !c.archived)
      .filter((c) => !text || `${c.firstName} ${c.lastName} ${c.email}`.toLowerCase().includes(text))
      .sort((a, b) => a.lastName.localeCompare(b.lastName) || a.firstName.localeCompare(b.firstName))
  }, [contacts, q])

  if (contactsDoc.noAccess)
    return <div className="notice notice--error">You do not have access to contacts.</div>
  return (
    <div className="list-page">
      <div className="toolbar">
        <h1 className="page__title">Contacts</h1>
        <input
          className="toolbar__search"
          type="search"
          placeholder="Filter contacts…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <span className="muted">{rows.length} contacts</span>
      </div>
      <table className="table" data-testid="contacts-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Title</th>
            <th>Account</th>
            <th>Status</th>
            <th>Score</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, PAGE).map((c) => {
            const account = c.accountId ? accounts.byId.get(c.accountId) : undefined
            return (
              <tr key={c.id}>
                <td>
                  {c.firstName} {c.lastName}
                  <div className="muted">{c.email}</div>
                </td>
                <td>{c.title}</td>
                <td>{account ? <a href={`#/accounts/${account.id}`}>{account.name}</a> : '—'}</td>
                <td>{c.leadStatus}</td>
                <td>{c.score}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
