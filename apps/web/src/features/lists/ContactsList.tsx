import {
  ACCOUNTS,
  CONTACTS,
  Contact,
  type ContactCreate,
  createContact,
  LEAD_SOURCES,
  LEAD_STATUSES,
  updateContact,
} from '@rapport/model'
import { useMemo } from 'react'
import { navigate } from '../../app/useHashRoute.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useCustomFieldDefs } from '../customFields/useCustomFieldDefs.ts'
import { customFieldColumns, customFieldFilters, withCustomFieldFilters } from './customFieldColumns.tsx'
import { enumOptions, type ListColumn, type ListOption } from './listColumns.ts'
import { type FilterValues, haystackCache, sortRows } from './listQuery.ts'
import type { NewRowField } from './NewRowForm.tsx'
import { type RecordListKind, RecordListPage } from './RecordListPage.tsx'
import { textColumn } from './textColumn.tsx'

const haystack = haystackCache((c: Contact) => [c.firstName, c.lastName, c.email, c.title, c.phone])
const NO_FILTERS: FilterValues = { leadStatus: null, source: null, accountId: null }
const STATUS_OPTIONS = enumOptions(LEAD_STATUSES)
const SOURCE_OPTIONS = enumOptions(LEAD_SOURCES)
const filterValue = withCustomFieldFilters((c: Contact, key: string) =>
  key === 'leadStatus' ? c.leadStatus : key === 'source' ? c.source : c.accountId,
)
const CONTACT_LIST: RecordListKind<Contact, ContactCreate> = {
  names: { title: 'Contacts', one: 'contact', many: 'contacts' },
  query: { haystack, noFilters: NO_FILTERS, filterValue },
  preview: { path: '/api/contacts?sort=lastName&limit=100', schema: Contact },
  commands: { update: updateContact, create: createContact },
}

function fullName(c: Contact): string {
  return `${c.firstName} ${c.lastName}`.trim()
}

/** Every contact, live from `W/contacts`: search, filters, sortable columns, inline create and edit. */
export function ContactsList() {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const contactsDoc = useDoc({ workspaceId, kind: 'contacts' })
  const accountsDoc = useDoc({ workspaceId, kind: 'accounts' })
  const contacts = useLiveRecords(contactsDoc.doc, CONTACTS)
  const accounts = useLiveRecords(accountsDoc.doc, ACCOUNTS)

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
    const text = (field: 'email' | 'title', label: string, width: string) =>
      textColumn<Contact, typeof field>(field, label, width)
    return [
      {
        field: 'name',
        label: 'Name',
        width: 'minmax(160px, 1.6fr)',
        sortValue: (c) => `${c.lastName} ${c.firstName}`.trim(),
        render: (c) => (
          <a href={`#/contacts/${c.id}`} className="rtable__open">
            {fullName(c)}
          </a>
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
  const { defs, settings } = useCustomFieldDefs('contact')
  const baseCurrency = settings?.currency.base ?? 'USD'
  const allColumns = useMemo(
    () => [...columns, ...customFieldColumns<Contact>(defs, session.members, baseCurrency)],
    [columns, defs, session.members, baseCurrency],
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

  const createInput = (v: Record<string, string>): ContactCreate => ({
    firstName: v.firstName ?? '',
    lastName: v.lastName ?? '',
    email: (v.email ?? '').trim(),
    accountId: v.accountId ? v.accountId : null,
    leadStatus: v.leadStatus as Contact['leadStatus'],
    ownerId: session.user.id,
  })

  const open = (c: Contact) => navigate(`#/contacts/${c.id}`)

  return (
    <RecordListPage
      kind={CONTACT_LIST}
      recordsDoc={contactsDoc}
      records={contacts}
      columns={allColumns}
      // Columns change with every account edit (names, options); re-sort only when the sort actually reads accounts.
      resortOn={(field) => (field === 'accountId' ? accounts : null)}
      filters={[
        { key: 'leadStatus', label: 'Status', options: STATUS_OPTIONS },
        { key: 'source', label: 'Source', options: SOURCE_OPTIONS },
        { key: 'accountId', label: 'Account', options: accountOptions },
        ...customFieldFilters(defs, session.members),
      ]}
      newFields={newFields}
      createInput={createInput}
      onOpen={open}
    />
  )
}
