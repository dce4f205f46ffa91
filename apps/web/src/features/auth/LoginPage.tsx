import { type FormEvent, useState } from 'react'
import { ApiError, authApi, type Session } from './authApi.ts'

export function LoginPage({
  notice,
  onLoggedIn,
}: {
  notice: string | null
  onLoggedIn: (s: Session) => void
}) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      onLoggedIn(await authApi.login(email.trim(), password))
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.kind === 'unauthorized' || err.kind === 'invalid'
            ? 'Wrong email or password.'
            : err.message
          : 'Sign-in failed. Please try again.',
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="login">
      <form className="login__card" onSubmit={submit} data-testid="login-form">
        <div className="brand brand--large">
          <span className="brand__mark">R</span> Rapport
        </div>
        <p className="login__tagline">Your whole team, on the same customer, at the same time.</p>
        {notice && (
          <p className="notice notice--info" data-testid="login-notice">
            {notice}
          </p>
        )}
        {error && (
          <p className="notice notice--error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            data-testid="login-email"
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            data-testid="login-password"
          />
        </label>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="login__switch">
          New team?{' '}
          <a href="#/signup" data-testid="login-signup">
            Create a workspace
          </a>
        </p>
      </form>
    </main>
  )
}
