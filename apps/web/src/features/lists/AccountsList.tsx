import { ACCOUNT_TIERS, ACCOUNTS, type Account, createAccount, TEAMS, updateAccount } from '@rapport/model'
import { useCallback, useDeferredValue, useMemo, useState } from 'react'
import { navigate } from '../../app/useHashRoute.ts'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { Avatar } from '../../ui/Avatar.tsx'
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

const haystack = haystackCache((a: Account) => [
  a.name,
  a.domain,
  a.industry,
  a.city,
  a.country,
  a.tier,
  a.team,
])
const NO_FILTERS: FilterValues = { ownerId: null, team: null, tier: null }

/** Every account, live from `W/accounts`: search, filters, sortable columns, inline create and edit. */
export function AccountsList() {
  const { session } = useSession()
  const accountsDoc = useDoc({ workspaceId: session.workspace.id, kind: 'accounts' })
  const { doc, readOnly } = accountsDoc
  const accounts = useLiveRecords(accountsDoc.doc, ACCOUNTS)
  const [text, setText] = useState('')
  const [filters, setFilters] = useState<FilterValues>(NO_FILTERS)
  const [sort, setSort] = useState<SortState>({ field: 'name', dir: 'asc' })
  const [creating, setCreating] = useState(false)
  const deferredText = useDeferredValue(text)

  const owners: ListOption[] = useMemo(
    () => [
      { value: '', label: 'Unassigned' },
      ...session.members.map((m) => ({ value: m.userId, label: m.name })),
    ],
    [session.members],
  )
  const memberById = useMemo(() => new Map(session.members.map((m) => [m.userId, m])), [session.members])

  const columns = useMemo((): ListColumn<Account>[] => {
    const text = (
      field: 'domain' | 'industry' | 'city',
      label: string,
      width: string,
    ): ListColumn<Account> => ({
      field,
      label,
      width,
      sortValue: (a) => a[field],
      render: (a) => a[field] || <span className="muted">—</span>,
      edit: { kind: 'text', value: (a) => a[field], toPatch: (v) => ({ [field]: v.trim() }) },
    })
    return [
      {
        field: 'name',
        label: 'Name',
        width: 'minmax(180px, 2fr)',
        sortValue: (a) => a.name,
        render: (a) => (
          <a href={`#/accounts/${a.id}`} className="rtable__open">
            {a.name}
          </a>
        ),
      },
      text('domain', 'Domain', 'minmax(120px, 1.3fr)'),
      text('industry', 'Industry', 'minmax(110px, 1fr)'),
      {
        field: 'tier',
        label: 'Tier',
        width: '110px',
        sortValue: (a) => ACCOUNT_TIERS.indexOf(a.tier),
        render: (a) => <span className={`tier tier--${a.tier}`}>{a.tier}</span>,
        edit: {
          kind: 'select',
          value: (a) => a.tier,
          options: enumOptions(ACCOUNT_TIERS),
          toPatch: (v) => ({ tier: v }),
        },
      },
      {
        field: 'team',
        label: 'Team',
        width: '100px',
        sortValue: (a) => a.team,
        render: (a) => <span className="capitalize">{a.team}</span>,
        edit: {
          kind: 'select',
          value: (a) => a.team,
          options: enumOptions(TEAMS),
          toPatch: (v) => ({ team: v }),
        },
      },
      {
        field: 'ownerId',
        label: 'Owner',
        width: 'minmax(140px, 1.2fr)',
        sortValue: (a) => (a.ownerId ? (memberById.get(a.ownerId)?.name ?? a.ownerId) : null),
        render: (a) => {
          const m = a.ownerId ? memberById.get(a.ownerId) : undefined
          if (!m) return <span className="muted">{a.ownerId ? 'Unknown' : 'Unassigned'}</span>
          return (
            <span className="rtable__person">
              <Avatar name={m.name} color={m.color} size="sm" />
              {m.name}
            </span>
          )
        },
        edit: {
          kind: 'select',
          value: (a) => a.ownerId ?? '',
          options: owners,
          toPatch: (v) => ({ ownerId: v === '' ? null : v }),
        },
      },
      text('city', 'City', 'minmax(100px, 1fr)'),
    ]
  }, [memberById, owners])

  const live = useMemo(() => [...accounts.byId.values()].filter((a) => !a.archived), [accounts])
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.field === sort.field) ?? columns[0]
    return column ? sortRows(live, column.sortValue, sort.dir) : live
  }, [live, columns, sort])
  const rows = useMemo(
    () =>
      filterRows(sorted, {
        text: deferredText,
        haystack,
        filters,
        filterValue: (a, key) => (key === 'ownerId' ? a.ownerId : key === 'team' ? a.team : a.tier),
      }),
    [sorted, deferredText, filters],
  )

  const onCommit = useCallback(
    (row: Account, patch: Record<string, unknown>) =>
      doc ? runCommand(() => updateAccount(doc, row.id, patch, LOCAL_ORIGIN)) : 'Not connected yet.',
    [doc],
  )

  const newFields = useMemo(
    (): NewRowField[] => [
      { name: 'name', label: 'Name', kind: 'text', initial: '', required: true },
      { name: 'domain', label: 'Domain', kind: 'text', initial: '' },
      {
        name: 'tier',
        label: 'Tier',
        kind: 'select',
        initial: 'standard',
        options: enumOptions(ACCOUNT_TIERS),
      },
      {
        name: 'team',
        label: 'Team',
        kind: 'select',
        initial: session.role === 'support' ? 'support' : 'sales',
        options: enumOptions(TEAMS),
      },
      { name: 'ownerId', label: 'Owner', kind: 'select', initial: session.user.id, options: owners },
    ],
    [owners, session.role, session.user.id],
  )

  const onCreate = (v: Record<string, string>) => {
    if (!doc) return 'Not connected yet.'
    return runCommand(() =>
      createAccount(
        doc,
        {
          name: v.name ?? '',
          domain: (v.domain ?? '').trim(),
          tier: v.tier as Account['tier'],
          team: v.team as Account['team'],
          ownerId: v.ownerId ? v.ownerId : null,
        },
        LOCAL_ORIGIN,
      ),
    )
  }

  if (accountsDoc.noAccess)
    return (
      <div className="notice notice--error" role="alert" data-testid="no-access">
        You do not have access to accounts{accountsDoc.denied ? ' (the server refused the document)' : ''}.
      </div>
    )

  return (
    <div className="list-page list-page--wide">
      <ListToolbar
        title="Accounts"
        count={rows.length}
        total={live.length}
        noun="accounts"
        text={text}
        onText={setText}
        filters={[
          { key: 'ownerId', label: 'Owner', options: owners },
          { key: 'team', label: 'Team', options: enumOptions(TEAMS) },
          { key: 'tier', label: 'Tier', options: enumOptions(ACCOUNT_TIERS) },
        ]}
        values={filters}
        onFilter={(key, value) => setFilters((f) => ({ ...f, [key]: value }))}
        canCreate={!readOnly && accountsDoc.ready}
        onNew={() => setCreating(true)}
        newLabel="New account"
      />
      {creating && !readOnly && (
        <NewRowForm
          fields={newFields}
          submitLabel="Create account"
          onCreate={onCreate}
          onClose={() => setCreating(false)}
        />
      )}
      {!accountsDoc.ready ? (
        <div className="empty">Loading accounts…</div>
      ) : (
        <RecordTable
          testId="list-accounts"
          label="Accounts"
          columns={columns}
          rows={rows}
          readOnly={readOnly}
          sort={sort}
          onSort={(field) => setSort((s) => toggleSort(s, field))}
          onOpen={(a) => navigate(`#/accounts/${a.id}`)}
          onCommit={onCommit}
          empty={live.length === 0 ? 'No accounts yet.' : 'No account matches the search and filters.'}
        />
      )}
    </div>
  )
}
