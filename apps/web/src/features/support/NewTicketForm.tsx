import {
  type Contact,
  TICKET_PRIORITIES,
  type TicketCreate,
  TicketCreate as TicketCreateSchema,
} from '@rapport/model'
import { useId, useMemo, useState } from 'react'
import { useSession } from '../auth/SessionContext.tsx'
import { RequiredFieldInputs, useRequiredFields } from '../customFields/RequiredCustomFields.tsx'
import { useCustomFieldDefs } from '../customFields/useCustomFieldDefs.ts'
import { contactLabel } from './contactLabel.ts'
import { createTicketRest } from './ticketQueries.ts'

const PRIORITY_LABEL: Record<string, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
}

/**
 * "New ticket" from an account room or a contact page: subject, description, priority and contact, with the
 * account (and contact) filled in. Created with `POST /api/tickets` (the server places it at the end of its column
 * and sets its due time from the workspace's policy); lists of tickets show it through the change feed.
 */
export function NewTicketForm({
  accountId,
  contactId = null,
  contacts,
  onCreated,
  onCancel,
}: {
  accountId: string | null
  contactId?: string | null
  /** The contacts to choose from (the account's). */
  contacts: readonly Contact[]
  onCreated?: (ticketId: string) => void
  onCancel?: () => void
}) {
  const id = useId()
  const [subject, setSubject] = useState('')
  const [description, setDescription] = useState('')
  const [priority, setPriority] = useState<(typeof TICKET_PRIORITIES)[number]>('normal')
  const [contact, setContact] = useState(contactId ?? '')
  const [problem, setProblem] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const { session } = useSession()
  const { defs, settings } = useCustomFieldDefs('ticket')
  const requiredDefs = useMemo(() => defs.filter((d) => d.required), [defs])
  const required = useRequiredFields(requiredDefs)

  const submit = async () => {
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
    const customFields = required.check()
    if (!customFields) return
    setSaving(true)
    try {
      const created = await createTicketRest(
        Object.keys(customFields).length > 0 ? { ...input, customFields } : input,
      )
      setSubject('')
      setDescription('')
      required.reset()
      onCreated?.(created.id)
    } catch (error) {
      setProblem(`Not saved — ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      setSaving(false)
    }
  }

  return (
    <form
      className="new-ticket"
      data-testid="new-ticket-form"
      aria-label="New ticket"
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
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
      <RequiredFieldInputs
        defs={requiredDefs}
        state={required}
        members={session.members}
        currency={settings?.currency.base ?? 'USD'}
        testId={(fieldId) => `new-ticket-cf-${fieldId}`}
      />
      <div className="new-ticket__actions">
        <button type="submit" className="btn btn--primary" data-testid="new-ticket-submit" disabled={saving}>
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
