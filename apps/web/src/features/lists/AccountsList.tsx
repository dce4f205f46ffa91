import { ACCOUNT_TIERS, Account, type AccountCreate, TEAMS } from '@rapport/model'
import { useMemo } from 'react'
import { navigate } from '../../app/useHashRoute.ts'
import { Avatar } from '../../ui/Avatar.tsx'
import { useSession } from '../auth/SessionContext.tsx'
import { useCustomFieldDefs } from '../customFields/useCustomFieldDefs.ts'
import { customFieldColumns, customFieldFilters } from './customFieldColumns.tsx'
import { enumOptions, type ListColumn, type ListOption } from './listColumns.ts'
import type { FilterValues } from './listQuery.ts'
import type { NewRowField } from './NewRowForm.tsx'
import { type RecordListKind, RecordListPage } from './RecordListPage.tsx'
import { textColumn } from './textColumn.tsx'

const NO_FILTERS: FilterValues = { ownerId: null, team: null, tier: null }
const ACCOUNT_LIST: RecordListKind<Account> = {
  kind: 'accounts',
  names: { title: 'Accounts', one: 'account', many: 'accounts' },
  schema: Account,
  noFilters: NO_FILTERS,
}

/** Every account, from the REST list and live through the change feed: search, filters, sortable columns, inline create and edit. */
export function AccountsList() {
  const { session } = useSession()
  const owners: ListOption[] = useMemo(
    () => [
      { value: '', label: 'Unassigned' },
      ...session.members.map((m) => ({ value: m.userId, label: m.name })),
    ],
    [session.members],
  )
  const memberById = useMemo(() => new Map(session.members.map((m) => [m.userId, m])), [session.members])

  const columns = useMemo((): ListColumn<Account>[] => {
    const text = (field: 'domain' | 'industry' | 'city', label: string, width: string) =>
      textColumn<Account, typeof field>(field, label, width)
    return [
      {
        field: 'name',
        label: 'Name',
        width: 'minmax(180px, 2fr)',
        sort: 'name',
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
        sort: 'tier',
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
        sort: 'team',
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
        // By the owner's display name (the server knows the members).
        sort: 'owner',
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
  const { defs, settings } = useCustomFieldDefs('account')
  const baseCurrency = settings?.currency.base ?? 'USD'
  const allColumns = useMemo(
    () => [...columns, ...customFieldColumns<Account>(defs, session.members, baseCurrency)],
    [columns, defs, session.members, baseCurrency],
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

  const createInput = (v: Record<string, string>): AccountCreate => ({
    name: v.name ?? '',
    domain: (v.domain ?? '').trim(),
    tier: v.tier as Account['tier'],
    team: v.team as Account['team'],
    ownerId: v.ownerId ? v.ownerId : null,
  })

  return (
    <RecordListPage
      kind={ACCOUNT_LIST}
      columns={allColumns}
      filters={[
        { key: 'ownerId', label: 'Owner', options: owners },
        { key: 'team', label: 'Team', options: enumOptions(TEAMS) },
        { key: 'tier', label: 'Tier', options: enumOptions(ACCOUNT_TIERS) },
        ...customFieldFilters(defs, session.members),
      ]}
      newFields={newFields}
      createInput={createInput}
      onOpen={(a) => navigate(`#/accounts/${a.id}`)}
    />
  )
}
