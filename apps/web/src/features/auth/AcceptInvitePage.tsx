import { type FormEvent, useEffect, useState } from 'react'
import { z } from 'zod'
import { FormField } from '../workspace/FormField.tsx'
import {
  errorsFromApi,
  type FormErrors,
  nameField,
  passwordField,
  validateForm,
} from '../workspace/formErrors.ts'
import { type InvitationPreview, workspaceApi } from '../workspace/workspaceApi.ts'
import '../workspace/workspace.css'
import { ApiError, type Session } from './authApi.ts'

const NewUserForm = z.object({ name: nameField, password: passwordField })
const ExistingUserForm = z.object({ name: z.string(), password: z.string().min(1, 'Enter your password') })

type Load =
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'ready'; invitation: InvitationPreview }

const ROLE_WORDS: Record<string, string> = {
  admin: 'an admin',
  sales: 'a sales member',
  support: 'a support member',
  viewer: 'a viewer',
}

/**
 * The invitation link's page (`#/invite/<token>`): shows the workspace and who invited; a new user picks a name
 * and password, an existing user signs in with their password, and both land in the workspace signed in.
 */
export function AcceptInvitePage({ token, onJoined }: { token: string; onJoined: (s: Session) => void }) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' })
  const [values, setValues] = useState({ name: '', password: '' })
  const [errors, setErrors] = useState<FormErrors>({})
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let cancelled = false
    workspaceApi.previewInvitation(token).then(
      (invitation) => !cancelled && setLoad({ kind: 'ready', invitation }),
      (err: unknown) =>
        !cancelled &&
        setLoad({
          kind: 'failed',
          message: err instanceof ApiError ? err.message : 'This invitation could not be loaded.',
        }),
    )
    return () => {
      cancelled = true
    }
  }, [token])

  async function submit(e: FormEvent, invitation: InvitationPreview) {
    e.preventDefault()
    const checked = validateForm(invitation.existingUser ? ExistingUserForm : NewUserForm, values)
    if (!checked.ok) {
      setErrors(checked.errors)
      return
    }
    setBusy(true)
    setErrors({})
    try {
      const session = await workspaceApi.acceptInvitation({
        token,
        ...(invitation.existingUser ? {} : { name: checked.data.name }),
        password: checked.data.password,
      })
      window.location.hash = '#/pipelines'
      onJoined(session)
    } catch (err) {
      setErrors(errorsFromApi(err, ['name', 'password'], { wrong_password: 'password' }))
      setBusy(false)
    }
  }

  return (
    <main className="login">
      <div className="login__card" data-testid="invite-page">
        <div className="brand brand--large">
          <span className="brand__mark">R</span> Rapport
        </div>
        {load.kind === 'loading' && <p className="muted">Loading the invitation…</p>}
        {load.kind === 'failed' && (
          <>
            <p className="notice notice--error" role="alert" data-testid="invite-error">
              {load.message}
            </p>
            <p className="login__switch">
              <a href="#/pipelines">Go to sign in</a>
            </p>
          </>
        )}
        {load.kind === 'ready' && (
          <form className="login__card-body" onSubmit={(e) => submit(e, load.invitation)} noValidate>
            <h1 className="page__title" data-testid="invite-workspace">
              Join {load.invitation.workspace.name}
            </h1>
            <p className="invite__facts" data-testid="invite-facts">
              {load.invitation.invitedBy.name} invited <strong>{load.invitation.email}</strong> as{' '}
              {ROLE_WORDS[load.invitation.role] ?? load.invitation.role}.
            </p>
            {errors.form && (
              <p className="notice notice--error" role="alert" data-testid="invite-form-error">
                {errors.form}
              </p>
            )}
            <FormField
              label="Email"
              name="email"
              value={load.invitation.email}
              readOnly
              testId="invite-email"
            />
            {load.invitation.existingUser ? (
              <p className="hint">You already have an account: sign in with its password to join.</p>
            ) : (
              <FormField
                label="Your name"
                name="name"
                value={values.name}
                onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
                error={errors.name}
                testId="invite-name"
                autoComplete="name"
              />
            )}
            <FormField
              label={load.invitation.existingUser ? 'Your password' : 'Choose a password'}
              name="password"
              type="password"
              value={values.password}
              onChange={(e) => setValues((v) => ({ ...v, password: e.target.value }))}
              error={errors.password}
              testId="invite-password"
              autoComplete={load.invitation.existingUser ? 'current-password' : 'new-password'}
            />
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="invite-submit">
              {busy ? 'Joining…' : load.invitation.existingUser ? 'Sign in and join' : 'Join workspace'}
            </button>
          </form>
        )}
      </div>
    </main>
  )
}
