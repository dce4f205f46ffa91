import {
  ACCOUNT_SIZES,
  ACCOUNT_TIERS,
  ACCOUNTS,
  Account,
  accessTo,
  COLLECTION,
  customFieldKey,
  NOTES_TEXT_FIELD,
  recordDocRef,
  updateAccount,
} from '@rapport/model'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { useCollab } from '../../collab/CollabContext.tsx'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useServerCopy } from '../../collab/useServerCopy.ts'
import { useUndoManager } from '../../collab/useUndoManager.ts'
import { authApi } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useAccountContacts, useContactsById } from '../contact/contactQueries.ts'
import { CustomFieldsSection } from '../customFields/CustomFieldsSection.tsx'
import { HandoffPanel } from '../handoff/HandoffPanel.tsx'
import { sentenceCase } from '../lists/listColumns.ts'
import { useWorkspaceSettings } from '../pipeline/useWorkspaceSettings.ts'
import { PresenceAvatars } from '../presence/PresenceAvatars.tsx'
import { usePeers, usePresenceField } from '../presence/usePeers.ts'
import { AccountTickets } from '../support/AccountTickets.tsx'
import { contactLabel } from '../support/contactLabel.ts'
import { useRelatedTickets } from '../support/ticketQueries.ts'
import { ArchiveButton } from '../trash/ArchiveButton.tsx'
import { AccountDeals } from './AccountDeals.tsx'
import { committedKeys } from './fieldConflict.ts'
import { LiveField } from './LiveField.tsx'
import { NotesEditor } from './NotesEditor.tsx'
import { NotesTools } from './NotesTools.tsx'
import { TasksPanel } from './TasksPanel.tsx'
import { Timeline } from './Timeline.tsx'
import { useEditorGate } from './useEditorGate.ts'
import { useFieldConflicts } from './useFieldConflicts.ts'

type TextField = 'name' | 'domain' | 'industry' | 'phone' | 'website' | 'city' | 'country'
const TEXT_FIELDS: Array<[TextField, string]> = [
  ['name', 'Name'],
  ['domain', 'Domain'],
  ['industry', 'Industry'],
  ['website', 'Website'],
  ['phone', 'Phone'],
  ['city', 'City'],
  ['country', 'Country'],
]

/** True from one task after `ready` first became true (and from then on). */
function useOneTaskAfter(ready: boolean): boolean {
  const [after, setAfter] = useState(false)
  useEffect(() => {
    if (!ready || after) return
    const timer = setTimeout(() => setAfter(true), 0)
    return () => clearTimeout(timer)
  }, [ready, after])
  return after
}

/** The account room: live fields, contacts, deals, tickets, shared notes, timeline, tasks and who is here. */
export function AccountPage({ accountId }: { accountId: string }) {
  const { session } = useSession()
  const { member } = useCollab()
  const workspaceId = session.workspace.id
  // The room first: its notes are what the user waits for; the collections may sync after it.
  const room = useDoc({ workspaceId, kind: 'account', accountId })
  const workspaceDoc = useDoc({ workspaceId, kind: 'workspace' })
  const settings = useWorkspaceSettings(workspaceDoc.doc)

  // Issue #12: the account lives in its room `W/account/A` (getMap('accounts'), the one entry A); `W/accounts` is
  // retired. Its fields are read, written, undone and checked for conflicts in the room (`home`).
  const roomAccounts = useLiveRecords(room.doc, ACCOUNTS)
  const home = room
  const live = roomAccounts.byId.get(accountId)
  // The room answered: a missing account is really missing.
  const bothSynced = room.synced
  // Until the collections are here (seconds for tens of thousands of records), show the server's copies, read only.
  const accountPath = `/api/accounts/${encodeURIComponent(accountId)}`
  const serverAccount = useServerCopy(
    accountPath,
    () => authApi.get(accountPath, Account),
    !live && !bothSynced,
  )
  const account = live ?? serverAccount ?? undefined
  // The account's contacts from REST, live through the feed (each contact lives in its own document W/contact/C).
  const { contacts: accountContacts, loading: contactsLoading } = useAccountContacts(accountId)
  // The account's tickets from REST, live through the feed (never the support document).
  const { tickets: accountTickets } = useRelatedTickets({ accountId })
  const ticketAccess = accessTo(member, recordDocRef(workspaceId, 'ticket', 'any'))
  // A ticket's contact may belong to another account: fetched by id.
  const ticketContacts = useContactsById(accountTickets.map((t) => t.contactId))
  const contactsById = useMemo(
    () => new Map([...ticketContacts, ...accountContacts.map((c) => [c.id, c] as const)]),
    [ticketContacts, accountContacts],
  )

  const notesReady = useEditorGate(room.doc, NOTES_TEXT_FIELD, room)
  // The panels that read the room besides the notes render one task after it is ready: the commit that brings the
  // document holds the notes editor, which is what the user waits for, and not the timeline, tasks and handoff too.
  const panelsShown = useOneTaskAfter(room.ready)
  const peers = usePeers(room.provider)
  const setPresence = usePresenceField(room.provider)
  // Leaving the room while a field has the focus: React never sends its blur, so clear what we were editing.
  useEffect(() => () => setPresence('editing', null), [setPresence])
  const undo = useUndoManager(home.doc, [COLLECTION.accounts], !home.readOnly)
  const [error, setError] = useState<string | null>(null)
  const conflicts = useFieldConflicts(home.doc, room.doc, accountId)
  const { remember } = conflicts

  const commit = useCallback(
    (patch: Partial<Account>) => {
      if (!home.doc || home.readOnly) return
      try {
        setError(null)
        updateAccount(home.doc, accountId, patch, LOCAL_ORIGIN)
        remember(committedKeys(patch))
      } catch (err) {
        setError(err instanceof Error ? err.message : 'Could not save the change.')
      }
    },
    [home.doc, home.readOnly, accountId, remember],
  )
  const conflictProps = (field: string) => ({
    conflict: conflicts.conflictOf(field),
    onDismissConflict: () => conflicts.dismiss(field),
  })

  if (room.noAccess)
    return (
      <div className="notice notice--error" data-testid="no-access">
        You do not have access to this account.
      </div>
    )
  if (!live && bothSynced)
    return (
      <div className="empty" data-testid="account-missing">
        This account does not exist or was deleted. <a href="#/accounts">Back to accounts</a>
      </div>
    )

  const readOnly = home.readOnly
  // The server's copy is for reading until the document is here.
  const fieldsReadOnly = readOnly || !live
  const editingBy = (field: string) => {
    const p = peers.find((x) => x.editing === `account.${field}`)
    return p ? { name: p.user.name, color: p.user.color } : null
  }
  const notesEditor = editingBy('notes')
  const leaveArchived = () => {
    window.location.hash = '#/accounts'
  }

  return (
    <div className="account" data-testid="account-room" data-account={accountId}>
      <div className="account__header">
        <div>
          <a className="muted" href="#/accounts">
            ← Accounts
          </a>
          {account ? (
            <>
              <h1 className="page__title" data-testid="account-name">
                {account.name}
              </h1>
              <span className={`tier tier--${account.tier}`}>{account.tier}</span>{' '}
              <span
                className="chip"
                data-testid="account-team"
                data-team={account.team}
                data-owner={account.ownerId ?? ''}
              >
                {account.team} ·{' '}
                {session.members.find((m) => m.userId === account.ownerId)?.name ?? 'no owner'}
              </span>
            </>
          ) : (
            <h1 className="page__title skeleton skeleton--title" aria-busy="true">
              Loading account…
            </h1>
          )}
          {readOnly && (
            <span className="badge" data-testid="read-only">
              Read only
            </span>
          )}
        </div>
        <div className="account__header-right">
          {!readOnly && (
            <>
              <button type="button" className="btn btn--ghost" disabled={!undo.canUndo} onClick={undo.undo}>
                Undo
              </button>
              <button type="button" className="btn btn--ghost" disabled={!undo.canRedo} onClick={undo.redo}>
                Redo
              </button>
            </>
          )}
          <PresenceAvatars peers={peers} label="Here now" />
          <ArchiveButton kind="accounts" id={accountId} readOnly={readOnly} onArchived={leaveArchived} />
        </div>
      </div>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <div className="account__grid">
        <div className="account__main">
          <section className="panel">
            <h2 className="panel__title">Details</h2>
            {account ? (
              <div className="fields">
                {TEXT_FIELDS.map(([field, label]) => (
                  <LiveField
                    key={field}
                    name={field}
                    label={label}
                    value={account[field]}
                    readOnly={fieldsReadOnly}
                    editingBy={editingBy(field)}
                    onEditing={(on) => setPresence('editing', on ? `account.${field}` : null)}
                    onCommit={(v) => commit({ [field]: v })}
                    {...conflictProps(field)}
                  />
                ))}
                <LiveField
                  name="tier"
                  label="Tier"
                  value={account.tier}
                  readOnly={fieldsReadOnly}
                  editingBy={editingBy('tier')}
                  onEditing={(on) => setPresence('editing', on ? 'account.tier' : null)}
                  options={ACCOUNT_TIERS.map((t) => ({ value: t, label: sentenceCase(t) }))}
                  onCommit={(v) => commit({ tier: v as Account['tier'] })}
                  {...conflictProps('tier')}
                />
                <LiveField
                  name="size"
                  label="Size"
                  value={account.size ?? ''}
                  readOnly={fieldsReadOnly}
                  editingBy={editingBy('size')}
                  onEditing={(on) => setPresence('editing', on ? 'account.size' : null)}
                  options={[{ value: '', label: '—' }, ...ACCOUNT_SIZES.map((s) => ({ value: s, label: s }))]}
                  onCommit={(v) => commit({ size: (v || null) as Account['size'] })}
                  {...conflictProps('size')}
                />
                <LiveField
                  name="ownerId"
                  label="Owner"
                  value={account.ownerId ?? ''}
                  readOnly={fieldsReadOnly}
                  editingBy={editingBy('ownerId')}
                  onEditing={(on) => setPresence('editing', on ? 'account.ownerId' : null)}
                  options={[
                    { value: '', label: 'Unassigned' },
                    ...session.members.map((m) => ({ value: m.userId, label: m.name })),
                  ]}
                  onCommit={(v) => commit({ ownerId: v || null })}
                  {...conflictProps('ownerId')}
                />
              </div>
            ) : (
              <div className="fields" data-testid="fields-loading" aria-busy="true">
                {TEXT_FIELDS.map(([field, label]) => (
                  <div key={field} className="live-field">
                    <span className="live-field__label">{label}</span>
                    <span className="skeleton skeleton--line" />
                  </div>
                ))}
              </div>
            )}
            {account && (
              <CustomFieldsSection
                kind="account"
                values={account.customFields}
                readOnly={fieldsReadOnly}
                onChange={(fieldId, value) => commit({ customFields: { [fieldId]: value } })}
                conflictOf={(fieldId) => conflicts.conflictOf(customFieldKey(fieldId))}
                onDismissConflict={(fieldId) => conflicts.dismiss(customFieldKey(fieldId))}
              />
            )}
          </section>
          <section className="panel">
            <h2 className="panel__title">
              Notes
              {notesEditor && (
                <>
                  {' · '}
                  <em data-testid="editing-notice" style={{ color: notesEditor.color }}>
                    {`${notesEditor.name} is editing Notes`}
                  </em>
                </>
              )}
            </h2>
            <NotesTools accountId={accountId} readOnly={room.readOnly} />
            {room.doc && room.provider && notesReady ? (
              <NotesEditor
                doc={room.doc}
                provider={room.provider}
                user={{ name: session.user.name, color: session.user.color }}
                readOnly={room.readOnly}
                onEditing={(on) => setPresence('editing', on ? 'account.notes' : null)}
              />
            ) : (
              <div className="empty" data-testid="notes-loading">
                Loading notes…
              </div>
            )}
          </section>
          {room.doc && room.provider && room.synced && panelsShown && (
            <HandoffPanel
              accountId={accountId}
              doc={room.doc}
              provider={room.provider}
              readOnly={room.readOnly}
            />
          )}
          {room.doc && room.ready && panelsShown && (
            <Timeline
              doc={room.doc}
              accountId={accountId}
              contacts={accountContacts.map((c) => ({ id: c.id, name: contactLabel(c) }))}
              pipelines={settings?.pipelines}
              readOnly={room.readOnly}
            />
          )}
        </div>
        <aside className="account__side">
          {room.doc && room.ready && panelsShown && (
            <TasksPanel doc={room.doc} readOnly={room.readOnly} accountId={accountId} />
          )}
          <section className="panel" data-testid="account-contacts">
            <h2 className="panel__title">Contacts ({accountContacts.length})</h2>
            <ul className="mini-list">
              {accountContacts.length === 0 && (
                <li className="muted" data-testid="contacts-empty">
                  {contactsLoading ? 'Loading contacts…' : 'No contacts yet.'}
                </li>
              )}
              {accountContacts.map((c) => (
                <li key={c.id} className="mini-row">
                  <a href={`#/contacts/${c.id}`} data-testid={`account-contact-${c.id}`}>
                    {c.firstName} {c.lastName}
                  </a>
                  <span className="muted">{c.title}</span>
                  <a href={`mailto:${c.email}`}>{c.email}</a>
                </li>
              ))}
            </ul>
          </section>
          {/* A pipeline document can hold thousands of deals: open it once the notes can show, so it never
              delays the editor. */}
          <AccountDeals
            workspaceId={workspaceId}
            pipelines={settings?.pipelines}
            accountId={accountId}
            open={room.synced || notesReady}
          />
          <AccountTickets
            tickets={accountTickets}
            contacts={contactsById}
            policy={settings?.sla}
            newTicket={ticketAccess === 'write' ? { accountId, contacts: accountContacts } : null}
          />
        </aside>
      </div>
    </div>
  )
}
