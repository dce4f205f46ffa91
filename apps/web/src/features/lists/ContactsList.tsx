import {
  ACCOUNTS,
  CONTACTS,
  type Contact,
  createContact,
  LEAD_SOURCES,
  LEAD_STATUSES,
  updateContact,
} from '@rapport/model'
import { useCallback, useDeferredValue, useMemo, useRef, useState } from 'react'
import { navigate } from '../../app/useHashRoute.ts'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { ListToolbar } from './ListToolbar.tsx'
import { enumOptions, type ListColumn, type ListOption } from './listColumns.ts'
import {
  type FilterValues,
  filterRows,
  haystackCache,
  type SortState,
  sortRows,
  toggleSort,
} from './listQuery.ts'
import { type NewRowField, NewRowForm } from './NewRowForm.tsx'
import { RecordTable } from './RecordTable.tsx'
import { runCommand } from './runCommand.ts'
import './lists.css'

const haystack = haystackCache((c: Contact) => [c.firstName, c.lastName, c.email, c.title, c.phone])
const NO_FILTERS: FilterValues = { leadStatus: null, source: null, accountId: null }
const STATUS_OPTIONS = enumOptions(LEAD_STATUSES)
const SOURCE_OPTIONS = enumOptions(LEAD_SOURCES)

function fullName(c: Contact): string {
  return `${c.firstName} ${c.lastName}`.trim()
}

/** Every contact, live from `W/contacts`: search, filters, sortable columns, inline create and edit. */
export function ContactsList() {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const contactsDoc = useDoc({ workspaceId, kind: 'contacts' })
  const accountsDoc = useDoc({ workspaceId, kind: 'accounts' })
  const { doc, readOnly } = contactsDoc
  const contacts = useLiveRecords(contactsDoc.doc, CONTACTS)
  const accounts = useLiveRecords(accountsDoc.doc, ACCOUNTS)
  const [text, setText] = useState('')
  const [filters, setFilters] = useState<FilterValues>(NO_FILTERS)
  const [sort, setSort] = useState<SortState>({ field: 'name', dir: 'asc' })
  const [creating, setCreating] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const deferredText = useDeferredValue(text)

  const accountOptions: ListOption[] = useMemo(
    () => [
      { value: '', label: 'No account' },
      ...sortRows(
        [...accounts.byId.values()].filter((a) => !a.archived),
        (a) => a.name,
        'asc',
      ).map((a) => ({ value: a.id, label: a.name })),
    ],
    [accounts],
  )

  const columns = useMemo((): ListColumn<Contact>[] => {
    const accountName = (c: Contact) => (c.accountId ? (accounts.byId.get(c.accountId)?.name ?? null) : null)
    const text = (field: 'email' | 'title', label: string, width: string): ListColumn<Contact> => ({
      field,
      label,
      width,
      sortValue: (c) => c[field],
      render: (c) => c[field] || <span className="muted">—</span>,
      edit: { kind: 'text', value: (c) => c[field], toPatch: (v) => ({ [field]: v.trim() }) },
    })
    return [
      {
        field: 'name',
        label: 'Name',
        width: 'minmax(160px, 1.6fr)',
        sortValue: (c) => `${c.lastName} ${c.firstName}`.trim(),
        render: (c) =>
          c.accountId ? (
            <a href={`#/accounts/${c.accountId}`} className="rtable__open">
              {fullName(c)}
            </a>
          ) : (
            <span className="rtable__open">{fullName(c)}</span>
          ),
      },
      text('email', 'Email', 'minmax(180px, 1.6fr)'),
      text('title', 'Title', 'minmax(120px, 1.2fr)'),
      {
        field: 'accountId',
        label: 'Account',
        width: 'minmax(140px, 1.3fr)',
        sortValue: accountName,
        render: (c) => accountName(c) ?? <span className="muted">—</span>,
        edit: {
          kind: 'select',
          value: (c) => c.accountId ?? '',
          options: accountOptions,
          toPatch: (v) => ({ accountId: v === '' ? null : v }),
        },
      },
      {
        field: 'leadStatus',
        label: 'Status',
        width: '110px',
        sortValue: (c) => LEAD_STATUSES.indexOf(c.leadStatus),
        render: (c) => <span className={`chip lead lead--${c.leadStatus}`}>{c.leadStatus}</span>,
        edit: {
          kind: 'select',
          value: (c) => c.leadStatus,
          options: STATUS_OPTIONS,
          toPatch: (v) => ({ leadStatus: v }),
        },
      },
      {
        field: 'source',
        label: 'Source',
        width: '100px',
        sortValue: (c) => c.source,
        render: (c) => <span className="capitalize">{c.source}</span>,
        edit: {
          kind: 'select',
          value: (c) => c.source,
          options: SOURCE_OPTIONS,
          toPatch: (v) => ({ source: v }),
        },
      },
      {
        field: 'score',
        label: 'Score',
        width: '80px',
        sortValue: (c) => c.score,
        render: (c) => c.score,
        edit: {
          kind: 'number',
          value: (c) => String(c.score),
          toPatch: (v) => ({ score: v.trim() === '' ? Number.NaN : Number(v) }),
        },
      },
    ]
  }, [accounts, accountOptions])

  const live = useMemo(() => [...contacts.byId.values()].filter((c) => !c.archived), [contacts])
  // Columns change with every account edit (names, options); re-sort only when the sort actually reads accounts.
  const columnsRef = useRef(columns)
  columnsRef.current = columns
  const sortAccounts = sort.field === 'accountId' ? accounts : null
  // biome-ignore lint/correctness/useExhaustiveDependencies: sortAccounts is the trigger; columns are read via ref
  const sorted = useMemo(() => {
    const cols = columnsRef.current
    const column = cols.find((c) => c.field === sort.field) ?? cols[0]
    return column ? sortRows(live, column.sortValue, sort.dir) : live
  }, [live, sort, sortAccounts])
  const rows = useMemo(
    () =>
      filterRows(sorted, {
        text: deferredText,
        haystack,
        filters,
        filterValue: (c, key) =>
          key === 'leadStatus' ? c.leadStatus : key === 'source' ? c.source : c.accountId,
      }),
    [sorted, deferredText, filters],
  )

  const onCommit = useCallback(
    (row: Contact, patch: Record<string, unknown>) =>
      doc ? runCommand(() => updateContact(doc, row.id, patch, LOCAL_ORIGIN)) : 'Not connected yet.',
    [doc],
  )

  const newFields = useMemo(
    (): NewRowField[] => [
      { name: 'firstName', label: 'First name', kind: 'text', initial: '' },
      { name: 'lastName', label: 'Last name', kind: 'text', initial: '' },
      { name: 'email', label: 'Email', kind: 'text', initial: '' },
      { name: 'accountId', label: 'Account', kind: 'select', initial: '', options: accountOptions },
      { name: 'leadStatus', label: 'Status', kind: 'select', initial: 'new', options: STATUS_OPTIONS },
    ],
    [accountOptions],
  )

  const onCreate = (v: Record<string, string>) => {
    if (!doc) return 'Not connected yet.'
    return runCommand(() =>
      createContact(
        doc,
        {
          firstName: v.firstName ?? '',
          lastName: v.lastName ?? '',
          email: (v.email ?? '').trim(),
          accountId: v.accountId ? v.accountId : null,
          leadStatus: v.leadStatus as Contact['leadStatus'],
          ownerId: session.user.id,
        },
        LOCAL_ORIGIN,
      ),
    )
  }

  const open = (c: Contact) => {
    if (c.accountId) navigate(`#/accounts/${c.accountId}`)
    else setNotice(`${fullName(c)} is not linked to an account yet.`)
  }

  if (contactsDoc.noAccess)
    return (
      <div className="notice notice--error" role="alert" data-testid="no-access">
        You do not have access to contacts{contactsDoc.denied ? ' (the server refused the document)' : ''}.
      </div>
    )

  return (
    <div className="list-page list-page--wide">
      <ListToolbar
        title="Contacts"
        count={rows.length}
        total={live.length}
        noun="contacts"
        text={text}
        onText={setText}
        filters={[
          { key: 'leadStatus', label: 'Status', options: STATUS_OPTIONS },
          { key: 'source', label: 'Source', options: SOURCE_OPTIONS },
          { key: 'accountId', label: 'Account', options: accountOptions },
        ]}
        values={filters}
        onFilter={(key, value) => setFilters((f) => ({ ...f, [key]: value }))}
        canCreate={!readOnly && contactsDoc.ready}
        onNew={() => setCreating(true)}
        newLabel="New contact"
      />
      {notice && (
        <div className="notice notice--info" role="status" data-testid="list-notice">
          {notice}
        </div>
      )}
      {creating && !readOnly && (
        <NewRowForm
          fields={newFields}
          submitLabel="Create contact"
          onCreate={onCreate}
          onClose={() => setCreating(false)}
        />
      )}
      {!contactsDoc.ready ? (
        <div className="empty">Loading contacts…</div>
      ) : (
        <RecordTable
          testId="list-contacts"
          label="Contacts"
          columns={columns}
          rows={rows}
          readOnly={readOnly}
          sort={sort}
          onSort={(field) => setSort((s) => toggleSort(s, field))}
          onOpen={open}
          onCommit={onCommit}
          empty={live.length === 0 ? 'No contacts yet.' : 'No contact matches the search and filters.'}
        />
      )}
    </div>
  )
}
