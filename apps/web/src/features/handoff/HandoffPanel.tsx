import type { HocuspocusProvider } from '@hocuspocus/provider'
import { HANDOFFS, type Handoff, TEAMS, type Team, updateHandoff } from '@rapport/model'
import { useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { PanelHeader } from '../../ui/PanelHeader.tsx'
import { useMemberLookup, useSession } from '../auth/SessionContext.tsx'
import { BriefEditor } from './BriefEditor.tsx'
import { HandoffChecklist } from './HandoffChecklist.tsx'
import { handoffApi } from './handoffApi.ts'
import '../support/support.css'

export interface HandoffPanelProps {
  accountId: string
  doc: Y.Doc
  provider: HocuspocusProvider
  readOnly: boolean
}

/** The handoffs of an account room: status, receiver, live brief and checklist, and the handoff steps. */
export function HandoffPanel({ accountId, doc, provider, readOnly }: HandoffPanelProps) {
  const handoffs = useLiveRecords(doc, HANDOFFS)
  const [error, setError] = useState<string | null>(null)
  const items = useMemo(
    () => [...handoffs.byId.values()].filter((h) => !h.archived).sort((a, b) => b.createdAt - a.createdAt),
    [handoffs],
  )
  const run = (action: () => Promise<unknown>) => {
    setError(null)
    action().catch((err: unknown) =>
      setError(err instanceof Error ? err.message : 'The handoff step failed.'),
    )
  }
  return (
    <section className="panel" data-testid="handoff-panel">
      <PanelHeader
        title={`Handoffs (${items.length})`}
        action={
          readOnly
            ? null
            : {
                label: 'New handoff',
                testId: 'handoff-new',
                onClick: () => run(() => handoffApi.create(accountId, { toTeam: 'support' })),
              }
        }
      />
      {error && (
        <p className="notice notice--error" role="alert" data-testid="handoff-error">
          {error}
        </p>
      )}
      {items.map((h) => (
        <HandoffCard key={h.id} handoff={h} doc={doc} provider={provider} readOnly={readOnly} run={run} />
      ))}
      {items.length === 0 && <p className="muted">No handoffs yet.</p>}
    </section>
  )
}

function HandoffCard({
  handoff,
  doc,
  provider,
  readOnly,
  run,
}: {
  handoff: Handoff
  doc: Y.Doc
  provider: HocuspocusProvider
  readOnly: boolean
  run: (action: () => Promise<unknown>) => void
}) {
  const { session } = useSession()
  const memberOf = useMemberLookup()
  const [comment, setComment] = useState('')
  const me = session.user.id
  const myTeam = session.members.find((m) => m.userId === me)?.team ?? null
  const editable = !readOnly && (handoff.status === 'draft' || handoff.status === 'returned')
  const receiving =
    !readOnly &&
    handoff.status === 'sent' &&
    (session.role === 'admin' ||
      handoff.toUserId === me ||
      (handoff.toUserId === null && myTeam === handoff.toTeam))
  const receiver = memberOf(handoff.toUserId)?.name ?? `${handoff.toTeam} team`
  const patch = (p: { toUserId?: string | null; toTeam?: Team }) =>
    updateHandoff(doc, handoff.id, p, LOCAL_ORIGIN)

  return (
    <article
      className="handoff"
      data-testid={`handoff-${handoff.id}`}
      data-status={handoff.status}
      data-receiver={handoff.toUserId ?? ''}
    >
      <header className="handoff__header">
        <span>
          From <strong>{memberOf(handoff.fromUserId)?.name ?? 'System'}</strong> to{' '}
          <strong>{receiver}</strong>
        </span>
        <span className={`chip handoff-status--${handoff.status}`} data-testid="handoff-status">
          {handoff.status}
        </span>
      </header>
      {editable && (
        <div className="handoff__target">
          <label>
            Receiver{' '}
            <select
              className="input"
              data-testid="handoff-receiver"
              value={handoff.toUserId ?? ''}
              onChange={(e) => patch({ toUserId: e.target.value || null })}
            >
              <option value="">Anyone in the team</option>
              {session.members
                .filter((m) => m.userId !== me)
                .map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {m.name} ({m.role})
                  </option>
                ))}
            </select>
          </label>{' '}
          <label>
            Team{' '}
            <select
              className="input"
              data-testid="handoff-team"
              value={handoff.toTeam}
              onChange={(e) => patch({ toTeam: e.target.value as Team })}
            >
              {TEAMS.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {handoff.status === 'returned' && handoff.returnComment && (
        <p className="notice" data-testid="handoff-return-note">
          Sent back: {handoff.returnComment}
        </p>
      )}
      {handoff.status !== 'accepted' ? (
        <>
          <BriefEditor
            doc={doc}
            provider={provider}
            handoffId={handoff.id}
            user={{ name: session.user.name, color: session.user.color }}
            readOnly={readOnly}
          />
          <HandoffChecklist doc={doc} handoffId={handoff.id} readOnly={readOnly} />
        </>
      ) : (
        <p className="muted" data-testid="handoff-accepted">
          Accepted by {receiver}
          {handoff.acceptedAt ? ` on ${new Date(handoff.acceptedAt).toLocaleString()}` : ''}.
        </p>
      )}
      <div className="handoff__actions">
        {editable && (
          <button
            type="button"
            className="btn"
            data-testid="handoff-send"
            onClick={() => run(() => handoffApi.send(handoff.accountId, handoff.id))}
          >
            Send to {receiver}
          </button>
        )}
        {receiving && (
          <>
            <button
              type="button"
              className="btn"
              data-testid="handoff-accept"
              onClick={() => run(() => handoffApi.accept(handoff.accountId, handoff.id))}
            >
              Accept
            </button>
            <input
              className="input"
              placeholder="What is missing?"
              value={comment}
              maxLength={2000}
              data-testid="handoff-return-comment"
              onChange={(e) => setComment(e.target.value)}
            />
            <button
              type="button"
              className="btn btn--ghost"
              data-testid="handoff-return"
              disabled={comment.trim() === ''}
              onClick={() => run(() => handoffApi.sendBack(handoff.accountId, handoff.id, comment))}
            >
              Send back
            </button>
          </>
        )}
      </div>
    </article>
  )
}
