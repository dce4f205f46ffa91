import { type FormEvent, useState } from 'react'
import { z } from 'zod'
import { useSession } from '../auth/SessionContext.tsx'
import { FormField } from './FormField.tsx'
import { errorsFromApi, type FormErrors, passwordField, validateForm } from './formErrors.ts'
import { workspaceApi } from './workspaceApi.ts'
import './workspace.css'

const PasswordForm = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password'),
    newPassword: passwordField,
    confirm: z.string(),
  })
  .refine((v) => v.newPassword === v.confirm, { path: ['confirm'], message: 'The two new passwords differ' })
const FIELDS = ['currentPassword', 'newPassword', 'confirm'] as const
const EMPTY = { currentPassword: '', newPassword: '', confirm: '' }

/** `#/profile`: your name and email (read-only) and a password change that signs out your other sessions. */
export function AccountSettingsPage() {
  const { session } = useSession()
  const [values, setValues] = useState(EMPTY)
  const [errors, setErrors] = useState<FormErrors>({})
  const [done, setDone] = useState(false)
  const [busy, setBusy] = useState(false)
  const set = (field: (typeof FIELDS)[number]) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: e.target.value }))

  async function submit(e: FormEvent) {
    e.preventDefault()
    setDone(false)
    const checked = validateForm(PasswordForm, values)
    if (!checked.ok) return setErrors(checked.errors)
    setBusy(true)
    setErrors({})
    try {
      await workspaceApi.changePassword({
        currentPassword: checked.data.currentPassword,
        newPassword: checked.data.newPassword,
      })
      setValues(EMPTY)
      setDone(true)
    } catch (err) {
      setErrors(errorsFromApi(err, FIELDS, { wrong_password: 'currentPassword' }))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="ws-page" data-testid="profile-page">
      <h1 className="page__title">Your account</h1>
      <section className="panel">
        <h2 className="panel__title">Profile</h2>
        <div className="ws-form">
          <FormField label="Name" name="name" value={session.user.name} readOnly testId="profile-name" />
          <FormField label="Email" name="email" value={session.user.email} readOnly testId="profile-email" />
        </div>
      </section>
      <section className="panel">
        <h2 className="panel__title">Change password</h2>
        <form className="ws-form" onSubmit={submit} noValidate>
          <FormField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            value={values.currentPassword}
            onChange={set('currentPassword')}
            error={errors.currentPassword}
            testId="password-current"
          />
          <FormField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            value={values.newPassword}
            onChange={set('newPassword')}
            error={errors.newPassword}
            testId="password-new"
          />
          <FormField
            label="New password again"
            name="confirm"
            type="password"
            autoComplete="new-password"
            value={values.confirm}
            onChange={set('confirm')}
            error={errors.confirm}
            testId="password-confirm"
          />
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="password-submit">
            Change password
          </button>
        </form>
        {errors.form && <p className="notice notice--error">{errors.form}</p>}
        {done && (
          <p className="notice notice--info" role="status" data-testid="password-changed">
            Password changed. Your other sessions have been signed out.
          </p>
        )}
      </section>
    </div>
  )
}
