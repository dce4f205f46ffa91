import { Contact, type ContactCreate, type FeedEvent, LEAD_SOURCES, LEAD_STATUSES } from '@rapport/model'
import { useMemo } from 'react'
import { z } from 'zod'
import { navigate } from '../../app/useHashRoute.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useCustomFieldDefs } from '../customFields/useCustomFieldDefs.ts'
import { customFieldColumns, customFieldFilters } from './customFieldColumns.tsx'
import { enumOptions, type ListColumn, type ListOption } from './listColumns.ts'
import type { FilterValues } from './listQuery.ts'
import type { NewRowField } from './NewRowForm.tsx'
import { type RecordListKind, RecordListPage } from './RecordListPage.tsx'
import { textColumn } from './textColumn.tsx'
import { useAccountOptions } from './useAccountOptions.ts'

/** A contact row of `GET /api/contacts`: the contact and its account's name. */
const ContactRow = Contact.extend({ accountName: z.string().nullable().optional() })
type ContactRow = z.infer<typeof ContactRow>

const NO_FILTERS: FilterValues = { leadStatus: null, source: null, accountId: null }
const STATUS_OPTIONS = enumOptions(LEAD_STATUSES)
const SOURCE_OPTIONS = enumOptions(LEAD_SOURCES)

/** An account renamed: the rows of its contacts show the new name at once. */
const accountRenamed = (row: ContactRow, event: FeedEvent): ContactRow | null => {
  if (row.accountId !== event.id) return null
  const name = event.op === 'upsert' && typeof event.row?.name === 'string' ? event.row.name : null
  return name === row.accountName ? null : { ...row, accountName: name }
}

const CONTACT_LIST: RecordListKind<ContactRow> = {
  kind: 'contacts',
  names: { title: 'Contacts', one: 'contact', many: 'contacts' },
  schema: ContactRow,
  noFilters: NO_FILTERS,
  related: [{ kind: 'accounts', patch: accountRenamed }],
}

function fullName(c: Contact): string {
  return `${c.firstName} ${c.lastName}`.trim()
}

/**
 * Every contact, from the REST list and live through the change feed — without the accounts: each row names its
 * account (`accountName`), and the account choices come from `GET /api/accounts`.
 */
export function ContactsList() {
  const { session } = useSession()
  const accounts = useAccountOptions()

  const accountOptions: ListOption[] = useMemo(
    () => [{ value: '', label: 'No account' }, ...accounts],
    [accounts],
  )

  const columns = useMemo((): ListColumn<ContactRow>[] => {
    const text = (field: 'email' | 'title', label: string, width: string) =>
      textColumn<ContactRow, typeof field>(field, label, width)
    return [
      {
        field: 'name',
        label: 'Name',
        width: 'minmax(160px, 1.6fr)',
        sort: 'lastName',
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
        // By the account's name as shown (the server keeps it current when the account is renamed).
        sort: 'accountName',
        render: (c) => c.accountName ?? <span className="muted">—</span>,
        edit: {
          kind: 'select',
          value: (c) => c.accountId ?? '',
          // The row's own account is a choice even when it is not among the first accounts listed.
          options: (c) =>
            c.accountId && c.accountName && !accountOptions.some((o) => o.value === c.accountId)
              ? [...accountOptions, { value: c.accountId, label: c.accountName }]
              : accountOptions,
          toPatch: (v) => ({ accountId: v === '' ? null : v }),
        },
      },
      {
        field: 'leadStatus',
        label: 'Status',
        width: '110px',
        sort: 'leadStatus',
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
        sort: 'source',
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
        sort: 'score',
        render: (c) => c.score,
        edit: {
          kind: 'number',
          value: (c) => String(c.score),
          toPatch: (v) => ({ score: v.trim() === '' ? Number.NaN : Number(v) }),
        },
      },
    ]
  }, [accountOptions])
  const { defs, settings } = useCustomFieldDefs('contact')
  const baseCurrency = settings?.currency.base ?? 'USD'
  const allColumns = useMemo(
    () => [...columns, ...customFieldColumns<ContactRow>(defs, session.members, baseCurrency)],
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

  const open = (c: ContactRow) => navigate(`#/contacts/${c.id}`)

  return (
    <RecordListPage
      kind={CONTACT_LIST}
      columns={allColumns}
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
