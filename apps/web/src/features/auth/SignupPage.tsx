import { type FormEvent, useState } from 'react'
import { z } from 'zod'
import { FormField } from '../workspace/FormField.tsx'
import {
  emailField,
  errorsFromApi,
  type FormErrors,
  nameField,
  passwordField,
  validateForm,
  workspaceNameField,
} from '../workspace/formErrors.ts'
import { workspaceApi } from '../workspace/workspaceApi.ts'
import '../workspace/workspace.css'
import type { Session } from './authApi.ts'

const SignupForm = z.object({
  workspaceName: workspaceNameField,
  name: nameField,
  email: emailField,
  password: passwordField,
})
const FIELDS = ['workspaceName', 'name', 'email', 'password'] as const

/** "Create a workspace": a new team's workspace and its first admin, signed in on success (`#/signup`). */
export function SignupPage({ onSignedUp }: { onSignedUp: (s: Session) => void }) {
  const [values, setValues] = useState({ workspaceName: '', name: '', email: '', password: '' })
  const [errors, setErrors] = useState<FormErrors>({})
  const [busy, setBusy] = useState(false)
  const set = (field: (typeof FIELDS)[number]) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: e.target.value }))

  async function submit(e: FormEvent) {
    e.preventDefault()
    const checked = validateForm(SignupForm, values)
    if (!checked.ok) {
      setErrors(checked.errors)
      return
    }
    setBusy(true)
    setErrors({})
    try {
      const session = await workspaceApi.signUp(checked.data)
      window.location.hash = '#/pipelines'
      onSignedUp(session)
    } catch (err) {
      setErrors(errorsFromApi(err, FIELDS, { email_taken: 'email' }))
      setBusy(false)
    }
  }

  return (
    <main className="login">
      <form className="login__card" onSubmit={submit} noValidate data-testid="signup-form">
        <div className="brand brand--large">
          <span className="brand__mark">R</span> Rapport
        </div>
        <h1 className="page__title">Create a workspace</h1>
        <p className="login__tagline">
          Your team's own workspace. You will be its admin and can invite the others.
        </p>
        {errors.form && (
          <p className="notice notice--error" role="alert" data-testid="signup-error">
            {errors.form}
          </p>
        )}
        <FormField
          label="Workspace name"
          name="workspaceName"
          value={values.workspaceName}
          onChange={set('workspaceName')}
          error={errors.workspaceName}
          testId="signup-workspace"
          autoComplete="organization"
        />
        <FormField
          label="Your name"
          name="name"
          value={values.name}
          onChange={set('name')}
          error={errors.name}
          testId="signup-name"
          autoComplete="name"
        />
        <FormField
          label="Email"
          name="email"
          type="email"
          value={values.email}
          onChange={set('email')}
          error={errors.email}
          testId="signup-email"
          autoComplete="username"
        />
        <FormField
          label="Password"
          name="password"
          type="password"
          value={values.password}
          onChange={set('password')}
          error={errors.password}
          testId="signup-password"
          autoComplete="new-password"
        />
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="signup-submit">
          {busy ? 'Creating…' : 'Create workspace'}
        </button>
        <p className="login__switch">
          Already have an account? <a href="#/pipelines">Sign in</a>
        </p>
      </form>
    </main>
  )
}
