import type { CustomFieldDef, CustomFieldValue } from '@rapport/model'
import { type FormEvent, useState } from 'react'
import { RequiredFieldInputs, useRequiredFields } from '../customFields/RequiredCustomFields.tsx'
import { AccountPicker } from '../deal/AccountPicker.tsx'
import { parseAmount, parseCurrency, parseRequiredText } from '../deal/fieldInput.ts'
import { useFieldErrors } from '../deal/useFieldErrors.ts'
import '../deal/recordPage.css'
import './quickAdd.css'

/** What a new deal starts with (the board adds its pipeline, stage and owner). */
export interface QuickAddInput {
  title: string
  accountId: string | null
  amount: number
  currency: string
  /** Values of the deal fields an admin made required (asked here, so a new deal never lacks them). */
  customFields: Record<string, CustomFieldValue>
}

/**
 * "+ Add deal" at the bottom of a column: title, account (searched on the server), amount and currency; Enter or
 * "Add deal" creates the deal at the end of the column. Each field says in plain words what is wrong with it.
 */
export function QuickAdd({
  stageId,
  defaultCurrency,
  requiredFields = [],
  members = [],
  onAdd,
}: {
  stageId: string
  defaultCurrency: string
  /** The workspace's required deal custom fields (Settings): each gets its input here. */
  requiredFields?: readonly CustomFieldDef[]
  members?: ReadonlyArray<{ userId: string; name: string }>
  onAdd: (input: QuickAddInput) => void
}) {
  const [open, setOpen] = useState(false)
  const [title, setTitle] = useState('')
  const [accountId, setAccountId] = useState<string | null>(null)
  const [amount, setAmount] = useState('')
  const [currency, setCurrency] = useState(defaultCurrency)
  const required = useRequiredFields(requiredFields)
  const { errors, set: setError } = useFieldErrors()
  if (!open)
    return (
      <button
        type="button"
        className="quick-add__open"
        onClick={() => {
          setCurrency(defaultCurrency)
          setOpen(true)
        }}
        data-testid={`quick-add-${stageId}`}
      >
        + Add deal
      </button>
    )
  const close = () => {
    setOpen(false)
    setTitle('')
    setAccountId(null)
    setAmount('')
    required.reset()
    for (const field of ['title', 'amount', 'currency']) setError(field, null)
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const t = parseRequiredText(title, 'The title', 200)
    const a = parseAmount(amount)
    const c = parseCurrency(currency)
    setError('title', t.ok ? null : t.message)
    setError('amount', a.ok ? null : a.message)
    setError('currency', c.ok ? null : c.message)
    const customFields = required.check()
    if (!t.ok || !a.ok || !c.ok || !customFields) return
    onAdd({ title: t.value, accountId, amount: a.value, currency: c.value, customFields })
    close()
  }
  const id = (field: string) => `quick-add-${field}-${stageId}`
  const error = (field: string) =>
    errors[field] ? (
      <p className="field-error" role="alert" data-testid={`${id(field)}-error`}>
        {errors[field]}
      </p>
    ) : null
  return (
    <form
      className="quick-add quick-add--full"
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') close()
      }}
      data-testid={`quick-add-form-${stageId}`}
    >
      <label className="live-field__label" htmlFor={id('input')}>
        Title
      </label>
      <input
        id={id('input')}
        // biome-ignore lint/a11y/noAutofocus: the user just asked for this form
        autoFocus
        value={title}
        placeholder="Deal title"
        maxLength={200}
        onChange={(e) => setTitle(e.target.value)}
        data-testid={`quick-add-input-${stageId}`}
      />
      {error('title')}
      <AccountPicker
        testId={id('account')}
        label="Account"
        value={accountId}
        readOnly={false}
        onChange={setAccountId}
      />
      <div className="quick-add__money">
        <div className="live-field">
          <label className="live-field__label" htmlFor={id('amount')}>
            Amount
          </label>
          <input
            id={id('amount')}
            inputMode="decimal"
            value={amount}
            placeholder="0"
            onChange={(e) => setAmount(e.target.value)}
            data-testid={id('amount')}
          />
        </div>
        <div className="live-field quick-add__currency">
          <label className="live-field__label" htmlFor={id('currency')}>
            Currency
          </label>
          <input
            id={id('currency')}
            value={currency}
            maxLength={3}
            onChange={(e) => setCurrency(e.target.value)}
            data-testid={id('currency')}
          />
        </div>
      </div>
      {error('amount')}
      {error('currency')}
      <RequiredFieldInputs
        defs={requiredFields}
        state={required}
        members={members}
        currency={currency}
        testId={(fieldId) => id(fieldId)}
      />
      <div className="quick-add__actions">
        <button type="button" className="btn btn--ghost" onClick={close} data-testid={id('cancel')}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" data-testid={id('submit')}>
          Add deal
        </button>
      </div>
    </form>
  )
}
