import {
  compareTicketMessages,
  TICKET_MESSAGES,
  type TicketMessage,
  TicketMessageInput,
  type TicketMessageKind,
} from '@rapport/model'
import { useId, useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { activityApi } from '../activity/activityApi.ts'
import { formatMoment } from '../activity/timelineSentence.ts'
import { useMemberLookup } from '../auth/SessionContext.tsx'

/**
 * A ticket's conversation, live from the support document: replies and internal notes, oldest first, each with its
 * author and time (written by the server from the caller's session). Internal notes are marked: they stay with the
 * team. Members who may write tickets reply or add a note; the first reply to a new ticket opens it.
 */
export function TicketThread({
  doc,
  ticketId,
  readOnly,
}: {
  doc: Y.Doc
  ticketId: string
  readOnly: boolean
}) {
  const id = useId()
  const memberOf = useMemberLookup()
  const all = useLiveRecords(doc, TICKET_MESSAGES)
  const messages = useMemo(
    () =>
      [...all.byId.values()]
        .filter((m: TicketMessage) => m.ticketId === ticketId && !m.archived)
        .sort(compareTicketMessages),
    [all, ticketId],
  )
  const [kind, setKind] = useState<TicketMessageKind>('reply')
  const [body, setBody] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const send = async () => {
    const parsed = TicketMessageInput.safeParse({ kind, body })
    if (!parsed.success) {
      setProblem(parsed.error.issues[0]?.message ?? 'Write a message first.')
      return
    }
    setProblem(null)
    setBusy(true)
    try {
      await activityApi.postTicketMessage(ticketId, parsed.data)
      setBody('')
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'The message could not be sent. Try again.')
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="thread" data-testid="ticket-thread" aria-label="Conversation">
      <h3 className="thread__title">Conversation</h3>
      <ol className="thread__list">
        {messages.map((m) => (
          <li
            key={m.id}
            className={`thread__message thread__message--${m.kind}`}
            data-testid="ticket-message"
            data-kind={m.kind}
          >
            <div className="thread__meta">
              <strong data-testid="ticket-message-author">
                {memberOf(m.authorId)?.name ?? 'A former member'}
              </strong>
              {m.kind === 'internal' && (
                <span className="chip thread__internal" data-testid="ticket-message-internal">
                  Internal note
                </span>
              )}
              <time className="muted" dateTime={new Date(m.at).toISOString()}>
                {formatMoment(m.at, {})}
              </time>
            </div>
            <p className="thread__body" data-testid="ticket-message-body">
              {m.body}
            </p>
          </li>
        ))}
        {messages.length === 0 && <li className="muted">No replies yet.</li>}
      </ol>
      {!readOnly && (
        <form
          className="thread__composer"
          data-testid="ticket-composer"
          noValidate
          onSubmit={(e) => {
            e.preventDefault()
            void send()
          }}
        >
          <div className="thread__kinds" role="radiogroup" aria-label="Message type">
            {(['reply', 'internal'] as const).map((k) => (
              <label key={k}>
                <input
                  type="radio"
                  name={`${id}-kind`}
                  checked={kind === k}
                  data-testid={`ticket-composer-${k}`}
                  onChange={() => setKind(k)}
                />{' '}
                {k === 'reply' ? 'Reply' : 'Internal note'}
              </label>
            ))}
          </div>
          <textarea
            className="input"
            rows={3}
            maxLength={20_000}
            value={body}
            placeholder={kind === 'reply' ? 'Write a reply' : 'Write a note for the team'}
            aria-label={kind === 'reply' ? 'Reply' : 'Internal note'}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-error` : undefined}
            data-testid="ticket-composer-body"
            onChange={(e) => setBody(e.target.value)}
          />
          {problem && (
            <span className="field-error" id={`${id}-error`} role="alert" data-testid="ticket-composer-error">
              {problem}
            </span>
          )}
          <button
            type="submit"
            className="btn btn--primary"
            disabled={busy}
            data-testid="ticket-composer-send"
          >
            {kind === 'reply' ? 'Send reply' : 'Add note'}
          </button>
        </form>
      )}
    </section>
  )
}
