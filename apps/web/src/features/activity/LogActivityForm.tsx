import { LOGGED_ACTIVITY_TYPES, type LoggedActivityType, logActivityProblems } from '@rapport/model'
import { useId, useState } from 'react'
import { activityApi } from './activityApi.ts'
import { localDate, localTime, loggedAt } from './loggedAt.ts'
import './activity.css'

export interface ContactOption {
  id: string
  name: string
}
export interface DealOption {
  id: string
  title: string
}

const TYPE_LABEL: Record<LoggedActivityType, string> = { call: 'Call', email: 'Email', meeting: 'Meeting' }

/**
 * Log a call, email or meeting on an account: when it happened, how long, with which contacts, about which deal,
 * and what came of it. Problems show in plain words beside their field; the server writes the entry (the caller is
 * its author). Reusable from the account room, a contact page and a deal page (`defaultContactIds`, `defaultDealId`).
 */
export function LogActivityForm({
  accountId,
  contacts,
  deals,
  defaultContactIds = [],
  defaultDealId = null,
  onLogged,
  onCancel,
}: {
  accountId: string
  contacts: readonly ContactOption[]
  deals: readonly DealOption[]
  defaultContactIds?: readonly string[]
  defaultDealId?: string | null
  onLogged?: () => void
  onCancel?: () => void
}) {
  const id = useId()
  const [type, setType] = useState<LoggedActivityType>('call')
  const [date, setDate] = useState(() => localDate(new Date()))
  const [time, setTime] = useState(() => localTime(new Date()))
  /** Date or time changed by the user (else the activity happened now, to the millisecond: see `loggedAt`). */
  const [moved, setMoved] = useState(false)
  const [duration, setDuration] = useState('')
  const [outcome, setOutcome] = useState('')
  const [contactIds, setContactIds] = useState<string[]>([...defaultContactIds])
  const [dealId, setDealId] = useState<string>(defaultDealId ?? '')
  const [problems, setProblems] = useState<Record<string, string>>({})
  const [failure, setFailure] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const input = () => ({
    type,
    at: loggedAt({ date, time, edited: moved }, Date.now()),
    durationMins: duration.trim() === '' ? null : Number(duration),
    outcome,
    contactIds,
    dealId: dealId || null,
  })
  const submit = async () => {
    const value = input()
    const found = logActivityProblems(value)
    setProblems(found)
    setFailure(null)
    if (Object.keys(found).length > 0) return
    setBusy(true)
    try {
      await activityApi.log(accountId, value)
      setOutcome('')
      setDuration('')
      onLogged?.()
    } catch (error) {
      setFailure(error instanceof Error ? error.message : 'The activity could not be logged. Try again.')
    } finally {
      setBusy(false)
    }
  }
  const problem = (field: string) =>
    problems[field] ? (
      <span
        className="field-error"
        id={`${id}-${field}-error`}
        role="alert"
        data-testid={`log-activity-error-${field}`}
      >
        {problems[field]}
      </span>
    ) : null
  const invalid = (field: string) =>
    problems[field] ? { 'aria-invalid': true, 'aria-describedby': `${id}-${field}-error` } : {}

  return (
    <form
      className="log-activity"
      data-testid="log-activity-form"
      aria-label="Log an activity"
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <fieldset className="log-activity__types">
        <legend>Type</legend>
        {LOGGED_ACTIVITY_TYPES.map((t) => (
          <label key={t} className="log-activity__type">
            <input
              type="radio"
              name={`${id}-type`}
              value={t}
              checked={type === t}
              data-testid={`log-activity-type-${t}`}
              onChange={() => setType(t)}
            />
            {TYPE_LABEL[t]}
          </label>
        ))}
      </fieldset>
      <div className="log-activity__row">
        <label className="field">
          <span>Date</span>
          <input
            className="input"
            type="date"
            value={date}
            data-testid="log-activity-date"
            onChange={(e) => {
              setDate(e.target.value)
              setMoved(true)
            }}
            {...invalid('at')}
          />
          {problem('at')}
        </label>
        <label className="field">
          <span>Time</span>
          <input
            className="input"
            type="time"
            value={time}
            data-testid="log-activity-time"
            onChange={(e) => {
              setTime(e.target.value)
              setMoved(true)
            }}
          />
        </label>
        <label className="field">
          <span>Duration (minutes)</span>
          <input
            className="input"
            type="number"
            inputMode="numeric"
            min={0}
            max={1440}
            step={1}
            value={duration}
            data-testid="log-activity-duration"
            onChange={(e) => setDuration(e.target.value)}
            {...invalid('durationMins')}
          />
          {problem('durationMins')}
        </label>
      </div>
      <label className="field">
        <span>Outcome</span>
        <textarea
          className="input"
          rows={3}
          maxLength={2000}
          placeholder="What happened, what was agreed"
          value={outcome}
          data-testid="log-activity-outcome"
          onChange={(e) => setOutcome(e.target.value)}
          {...invalid('outcome')}
        />
        {problem('outcome')}
      </label>
      {contacts.length > 0 && (
        <fieldset className="log-activity__contacts">
          <legend>Contacts</legend>
          {contacts.map((c) => (
            <label key={c.id} className="log-activity__contact">
              <input
                type="checkbox"
                checked={contactIds.includes(c.id)}
                data-testid={`log-activity-contact-${c.id}`}
                onChange={(e) =>
                  setContactIds((ids) => (e.target.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id)))
                }
              />
              <span className="log-activity__contact-name">{c.name}</span>
            </label>
          ))}
          {problem('contactIds')}
        </fieldset>
      )}
      {deals.length > 0 && (
        <label className="field">
          <span>Deal</span>
          <select
            className="input"
            value={dealId}
            data-testid="log-activity-deal"
            onChange={(e) => setDealId(e.target.value)}
          >
            <option value="">No deal</option>
            {deals.map((d) => (
              <option key={d.id} value={d.id}>
                {d.title}
              </option>
            ))}
          </select>
        </label>
      )}
      {failure && (
        <p className="notice notice--error" role="alert" data-testid="log-activity-failure">
          {failure}
        </p>
      )}
      <div className="log-activity__actions">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="log-activity-submit">
          {busy ? 'Logging…' : `Log ${TYPE_LABEL[type].toLowerCase()}`}
        </button>
        {onCancel && (
          <button
            type="button"
            className="btn btn--ghost"
            onClick={onCancel}
            data-testid="log-activity-cancel"
          >
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}
