import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { z } from 'zod'
import { ApiError } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { CopyField } from './CopyField.tsx'
import { FormField } from './FormField.tsx'
import { errorsFromApi, type FormErrors, validateForm } from './formErrors.ts'
import { formatWhen } from './labels.ts'
import { type ApiToken, type ApiTokenScope, workspaceApi } from './workspaceApi.ts'
import './workspace.css'

const TokenForm = z.object({
  name: z.string().trim().min(1, 'Enter a name for the token').max(100, 'Use at most 100 characters'),
})
const SCOPE_LABEL: Record<ApiTokenScope, string> = { read: 'Read only', 'read-write': 'Read and write' }

function TokenRow({
  token,
  onRevoked,
  onError,
}: {
  token: ApiToken
  onRevoked: () => void
  onError: (m: string) => void
}) {
  const revoked = token.revokedAt !== null
  return (
    <tr className={revoked ? 'is-revoked' : undefined} data-testid={`token-${token.name}`}>
      <td>
        <strong>{token.name}</strong>
      </td>
      <td data-label="Access" data-testid="token-scope">
        {SCOPE_LABEL[token.scope]}
      </td>
      <td data-label="Created">{formatWhen(token.createdAt)}</td>
      <td data-label="Last used" data-testid="token-last-used">
        {formatWhen(token.lastUsedAt)}
      </td>
      <td>
        {revoked ? (
          <span className="muted" data-testid="token-revoked">
            Revoked {formatWhen(token.revokedAt)}
          </span>
        ) : (
          <button
            type="button"
            className="btn"
            data-testid="token-revoke"
            onClick={() =>
              workspaceApi
                .revokeApiToken(token.id)
                .then(onRevoked, (err: unknown) =>
                  onError(err instanceof ApiError ? err.message : 'Revoking failed.'),
                )
            }
          >
            Revoke
          </button>
        )}
      </td>
    </tr>
  )
}

/** `#/tokens`: the caller's API tokens in this workspace: create (shown once), list, revoke. */
export function ApiTokensPage() {
  const { session } = useSession()
  const [tokens, setTokens] = useState<ApiToken[]>([])
  const [name, setName] = useState('')
  const [scope, setScope] = useState<ApiTokenScope>('read')
  const [errors, setErrors] = useState<FormErrors>({})
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null)
  const reload = useCallback(() => {
    workspaceApi.apiTokens().then(setTokens, (err: unknown) => setErrors(errorsFromApi(err, [])))
  }, [])
  useEffect(reload, [reload])

  async function submit(e: FormEvent) {
    e.preventDefault()
    const checked = validateForm(TokenForm, { name })
    if (!checked.ok) return setErrors(checked.errors)
    setErrors({})
    try {
      const result = await workspaceApi.createApiToken({ name: checked.data.name, scope })
      setCreated({ name: result.apiToken.name, token: result.token })
      setName('')
      reload()
    } catch (err) {
      setErrors(errorsFromApi(err, ['name']))
    }
  }

  return (
    <div className="ws-page" data-testid="tokens-page">
      <h1 className="page__title">API tokens</h1>
      <p className="hint">
        A token lets a script use the REST API of {session.workspace.name} as you (
        <code>Authorization: Bearer rpt_…</code>), with your role. Read-only tokens can only read.
      </p>
      <section className="panel">
        <h2 className="panel__title">Create a token</h2>
        <form className="ws-form" onSubmit={submit} noValidate>
          <FormField
            label="Name"
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
            testId="token-name"
            placeholder="Nightly export"
          />
          <label className="field">
            <span>Access</span>
            <select
              value={scope}
              onChange={(e) => setScope(e.target.value as ApiTokenScope)}
              data-testid="token-scope-select"
            >
              <option value="read">{SCOPE_LABEL.read}</option>
              <option value="read-write">{SCOPE_LABEL['read-write']}</option>
            </select>
          </label>
          <button type="submit" className="btn btn--primary" data-testid="token-create">
            Create token
          </button>
        </form>
        {errors.form && <p className="notice notice--error">{errors.form}</p>}
        {created && (
          <div data-testid="token-created">
            <p className="hint">Copy the token “{created.name}” now: it is shown only once.</p>
            <CopyField value={created.token} testId="token-secret" />
          </div>
        )}
      </section>
      <section className="panel">
        <h2 className="panel__title">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="muted">No tokens yet.</p>
        ) : (
          <div className="ws-table-wrap">
            <table className="table ws-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Access</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <TokenRow key={t.id} token={t} onRevoked={reload} onError={(form) => setErrors({ form })} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  )
}
