import { ROLES, type Role, TEAMS, type Team } from '@rapport/model'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { z } from 'zod'
import { ApiError, type SessionMember } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { CopyField } from './CopyField.tsx'
import { FormField } from './FormField.tsx'
import { emailField, errorsFromApi, type FormErrors, validateForm } from './formErrors.ts'
import { ROLE_LABEL, TEAM_LABEL } from './labels.ts'
import { PendingInvitations } from './PendingInvitations.tsx'
import { workspaceApi } from './workspaceApi.ts'
import './workspace.css'

const InviteForm = z.object({ email: emailField })
const message = (err: unknown) =>
  err instanceof ApiError ? err.message : 'Something went wrong. Please try again.'

function InvitePanel({ onInvited }: { onInvited: () => void }) {
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('sales')
  const [team, setTeam] = useState<Team | ''>('sales')
  const [errors, setErrors] = useState<FormErrors>({})
  const [link, setLink] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(e: FormEvent) {
    e.preventDefault()
    const checked = validateForm(InviteForm, { email })
    if (!checked.ok) return setErrors(checked.errors)
    setBusy(true)
    setErrors({})
    setLink(null)
    try {
      const invited = await workspaceApi.invite({ email: checked.data.email, role, team: team || null })
      setLink(invited.link)
      setEmail('')
      onInvited()
    } catch (err) {
      setErrors(errorsFromApi(err, ['email'], { already_member: 'email' }))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel" data-testid="invite-panel">
      <h2 className="panel__title">Invite a colleague</h2>
      <form className="ws-form" onSubmit={submit} noValidate>
        <FormField
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          testId="invite-email-input"
        />
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="invite-role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Team</span>
          <select
            value={team}
            onChange={(e) => setTeam(e.target.value as Team | '')}
            data-testid="invite-team"
          >
            <option value="">No team</option>
            {TEAMS.map((t) => (
              <option key={t} value={t}>
                {TEAM_LABEL[t]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="invite-send">
          Create invitation link
        </button>
      </form>
      {errors.form && <p className="notice notice--error">{errors.form}</p>}
      {link && (
        <div data-testid="invite-result">
          <p className="hint">
            Rapport sends no email: copy this link and give it to your colleague. It works once, for 7 days.
          </p>
          <CopyField value={link} testId="invite-link" />
        </div>
      )}
    </section>
  )
}

function MemberRow({
  member,
  editable,
  self,
  onChanged,
  onError,
}: {
  member: SessionMember
  editable: boolean
  self: boolean
  onChanged: () => void
  onError: (message: string) => void
}) {
  const [confirming, setConfirming] = useState(false)
  const update = (patch: { role?: Role; team?: Team | null }) =>
    workspaceApi.updateMember(member.userId, patch).then(onChanged, (err: unknown) => {
      onError(message(err))
      onChanged()
    })
  const team = (member.team ?? null) as Team | null
  return (
    <tr data-testid={`member-${member.email}`}>
      <td data-label="Name">
        <strong>{member.name}</strong>
        <div className="muted">{member.email}</div>
      </td>
      <td data-label="Role">
        {editable ? (
          <select
            aria-label={`Role of ${member.name}`}
            value={member.role}
            onChange={(e) => void update({ role: e.target.value as Role })}
            data-testid="member-role"
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        ) : (
          <span data-testid="member-role-text">{ROLE_LABEL[member.role]}</span>
        )}
      </td>
      <td data-label="Team">
        {editable ? (
          <select
            aria-label={`Team of ${member.name}`}
            value={team ?? ''}
            onChange={(e) => void update({ team: (e.target.value || null) as Team | null })}
            data-testid="member-team"
          >
            <option value="">No team</option>
            {TEAMS.map((t) => (
              <option key={t} value={t}>
                {TEAM_LABEL[t]}
              </option>
            ))}
          </select>
        ) : (
          <span>{team ? TEAM_LABEL[team] : 'No team'}</span>
        )}
      </td>
      <td>
        {editable && !self && !confirming && (
          <button
            type="button"
            className="btn"
            data-testid="member-remove"
            onClick={() => setConfirming(true)}
          >
            Remove
          </button>
        )}
        {confirming && (
          <span className="secret">
            <button
              type="button"
              className="btn btn--primary"
              data-testid="member-remove-confirm"
              onClick={() =>
                workspaceApi.removeMember(member.userId).then(onChanged, (err: unknown) => {
                  setConfirming(false)
                  onError(message(err))
                })
              }
            >
              Remove {member.name}
            </button>
            <button type="button" className="btn btn--ghost" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        )}
        {self && <span className="muted">You</span>}
      </td>
    </tr>
  )
}

/** `#/members`: everyone sees the members; admins invite, change roles and teams, and remove (never the last admin). */
export function MembersPage() {
  const { session } = useSession()
  const isAdmin = session.role === 'admin'
  const [members, setMembers] = useState<SessionMember[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [invited, setInvited] = useState(0)
  const reload = useCallback(() => {
    workspaceApi.members().then(setMembers, (err: unknown) => setError(message(err)))
  }, [])
  useEffect(reload, [reload])

  return (
    <div className="ws-page" data-testid="members-page">
      <h1 className="page__title">Members of {session.workspace.name}</h1>
      {error && (
        <p className="notice notice--error" role="alert" data-testid="members-error">
          {error}
          <button type="button" className="btn btn--ghost" onClick={() => setError(null)}>
            Dismiss
          </button>
        </p>
      )}
      {isAdmin && <InvitePanel onInvited={() => setInvited((n) => n + 1)} />}
      {isAdmin && <PendingInvitations version={invited} />}
      <section className="panel">
        <h2 className="panel__title">
          {members ? `${members.length} ${members.length === 1 ? 'member' : 'members'}` : 'Members'}
        </h2>
        {!isAdmin && <p className="hint">Only admins can invite, change roles or remove members.</p>}
        <div className="ws-table-wrap">
          <table className="table ws-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Team</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(members ?? []).map((m) => (
                <MemberRow
                  key={m.userId}
                  member={m}
                  editable={isAdmin}
                  self={m.userId === session.user.id}
                  onChanged={reload}
                  onError={setError}
                />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  )
}
