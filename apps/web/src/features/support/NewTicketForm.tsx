import {
  type Contact,
  createTicket,
  type SlaPolicy,
  TICKET_PRIORITIES,
  type TicketCreate,
  TicketCreate as TicketCreateSchema,
} from '@rapport/model'
import { useId, useState } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { contactLabel } from './contactLabel.ts'

const PRIORITY_LABEL: Record<string, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
}

/**
 * "New ticket" from an account room or a contact page: subject, description, priority and contact, with the
 * account (and contact) filled in. Written with the model's `createTicket` on the live support document.
 */
export function NewTicketForm({
  supportDoc,
  accountId,
  contactId = null,
  contacts,
  sla,
  onCreated,
  onCancel,
}: {
  supportDoc: Y.Doc
  accountId: string | null
  contactId?: string | null
  /** The contacts to choose from (the account's). */
  contacts: readonly Contact[]
  sla?: SlaPolicy
  onCreated?: (ticketId: string) => void
  onCancel?: () => void
}) {
  const id = useId()
  const [subject, setSubject] = useState('')
  const [description, setDescription] = useState('')
  const [priority, setPriority] = useState<(typeof TICKET_PRIORITIES)[number]>('normal')
  const [contact, setContact] = useState(contactId ?? '')
  const [problem, setProblem] = useState<string | null>(null)

  const submit = () => {
    const input: TicketCreate = {
      subject,
      description,
      priority,
      accountId,
      contactId: contact || null,
    }
    if (!TicketCreateSchema.safeParse(input).success || subject.trim() === '') {
      setProblem(
        subject.trim() === '' ? 'Give the ticket a subject.' : 'Keep the subject under 300 characters.',
      )
      return
    }
    setProblem(null)
    const created = createTicket(supportDoc, input, LOCAL_ORIGIN, sla ? { sla } : undefined)
    setSubject('')
    setDescription('')
    onCreated?.(created.id)
  }

  return (
    <form
      className="new-ticket"
      data-testid="new-ticket-form"
      aria-label="New ticket"
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <label className="field">
        <span>Subject</span>
        <input
          className="input"
          value={subject}
          maxLength={300}
          data-testid="new-ticket-subject"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-subject-error` : undefined}
          onChange={(e) => setSubject(e.target.value)}
        />
        {problem && (
          <span
            className="field-error"
            id={`${id}-subject-error`}
            role="alert"
            data-testid="new-ticket-error"
          >
            {problem}
          </span>
        )}
      </label>
      <label className="field">
        <span>Description</span>
        <textarea
          className="input"
          rows={3}
          maxLength={20_000}
          value={description}
          data-testid="new-ticket-description"
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <div className="new-ticket__row">
        <label className="field">
          <span>Priority</span>
          <select
            className="input"
            value={priority}
            data-testid="new-ticket-priority"
            onChange={(e) => setPriority(e.target.value as typeof priority)}
          >
            {TICKET_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABEL[p]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Contact</span>
          <select
            className="input"
            value={contact}
            data-testid="new-ticket-contact"
            onChange={(e) => setContact(e.target.value)}
          >
            <option value="">No contact</option>
            {contacts.map((c) => (
              <option key={c.id} value={c.id}>
                {contactLabel(c)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="new-ticket__actions">
        <button type="submit" className="btn btn--primary" data-testid="new-ticket-submit">
          Create ticket
        </button>
        {onCancel && (
          <button type="button" className="btn btn--ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}
