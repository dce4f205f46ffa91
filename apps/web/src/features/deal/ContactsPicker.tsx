import { useEffect, useState } from 'react'
import { z } from 'zod'
import { useRefreshSignal } from '../../ui/useRefreshSignal.ts'
import { authApi } from '../auth/authApi.ts'

const ContactRef = z.object({ id: z.string(), firstName: z.string(), lastName: z.string() })
type ContactRef = z.infer<typeof ContactRef>

const nameOf = (c: ContactRef) => `${c.firstName} ${c.lastName}`.trim() || 'Unnamed contact'

/**
 * The contacts of `accountId` from `GET /api/contacts?accountId=` (empty without an account), fetched again on each
 * `refresh` signal so a contact created meanwhile can be ticked.
 */
function useAccountContacts(
  accountId: string | null,
  refresh: number,
): { items: ContactRef[]; loading: boolean } {
  const [state, setState] = useState<{ accountId: string; items: ContactRef[] } | null>(null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new signal asks the server again
  useEffect(() => {
    if (!accountId) return
    let current = true
    authApi
      .list(`/api/contacts?accountId=${encodeURIComponent(accountId)}&sort=lastName&limit=200`, ContactRef)
      .then(
        (page) => {
          if (current) setState({ accountId, items: page.items })
        },
        () => {
          if (current) setState({ accountId, items: [] })
        },
      )
    return () => {
      current = false
    }
  }, [accountId, refresh])
  if (!accountId) return { items: [], loading: false }
  return state?.accountId === accountId
    ? { items: state.items, loading: false }
    : { items: [], loading: true }
}

export interface ContactsPickerProps {
  accountId: string | null
  value: readonly string[]
  readOnly: boolean
  onChange: (contactIds: string[]) => void
}

/**
 * The deal's contacts: a checkbox per contact of its account; contacts of other accounts can only be removed. The
 * list is asked for again when the pointer or the focus comes to it (or the window gets the focus back).
 */
export function ContactsPicker({ accountId, value, readOnly, onChange }: ContactsPickerProps) {
  const [refresh, refetch] = useRefreshSignal()
  const contacts = useAccountContacts(accountId, refresh)
  const known = new Set(contacts.items.map((c) => c.id))
  const others = value.filter((id) => !known.has(id))
  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...value.filter((v) => v !== id), id] : value.filter((v) => v !== id))
  return (
    <fieldset
      className="live-field contacts-picker"
      data-testid="deal-contacts"
      onPointerEnter={refetch}
      onFocus={refetch}
    >
      <legend className="live-field__label">Contacts</legend>
      {!accountId && <p className="muted">Choose an account to pick its contacts.</p>}
      {accountId && contacts.loading && <p className="muted">Loading contacts…</p>}
      {accountId && !contacts.loading && contacts.items.length === 0 && (
        <p className="muted">This account has no contacts yet.</p>
      )}
      <ul className="contacts-picker__list">
        {contacts.items.map((c) => (
          <li key={c.id}>
            <label className="contacts-picker__item">
              <input
                type="checkbox"
                checked={value.includes(c.id)}
                disabled={readOnly}
                data-testid={`deal-contact-${c.id}`}
                onChange={(e) => toggle(c.id, e.target.checked)}
              />
              <a href={`#/contacts/${c.id}`} className="contacts-picker__name">
                {nameOf(c)}
              </a>
            </label>
          </li>
        ))}
        {!contacts.loading &&
          others.map((id) => (
            <li key={id} className="contacts-picker__item">
              <OtherContact id={id} />
              {!readOnly && (
                <button type="button" className="btn btn--ghost" onClick={() => toggle(id, false)}>
                  Remove
                </button>
              )}
            </li>
          ))}
      </ul>
    </fieldset>
  )
}

/** A listed contact that is not one of the account's: its name from `GET /api/contacts/{id}`, and a link to it. */
function OtherContact({ id }: { id: string }) {
  const [name, setName] = useState<string | null>(null)
  useEffect(() => {
    let current = true
    authApi.get(`/api/contacts/${encodeURIComponent(id)}`, ContactRef).then(
      (c) => {
        if (current) setName(`${nameOf(c)} (another account)`)
      },
      () => {
        if (current) setName('A contact that no longer exists')
      },
    )
    return () => {
      current = false
    }
  }, [id])
  return (
    <a href={`#/contacts/${id}`} className="contacts-picker__name" data-testid={`deal-other-contact-${id}`}>
      {name ?? 'Loading contact…'}
    </a>
  )
}
