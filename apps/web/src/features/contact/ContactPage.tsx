import {
  CONTACTS,
  Contact,
  type ContactPatch,
  LEAD_SOURCES,
  LEAD_STATUSES,
  recordDocRef,
  updateContact,
} from '@rapport/model'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { useServerCopy } from '../../collab/useServerCopy.ts'
import { authApi } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { CustomFieldsSection } from '../customFields/CustomFieldsSection.tsx'
import { AccountPicker, useAccountName } from '../deal/AccountPicker.tsx'
import { CheckedField } from '../deal/CheckedField.tsx'
import { DetailsHead } from '../deal/DetailsHead.tsx'
import { type FieldInput, notSaved, parseEmail, parseScore, parseText } from '../deal/fieldInput.ts'
import { OwnerField } from '../deal/OwnerField.tsx'
import { RecordTimeline } from '../deal/RecordTimeline.tsx'
import { useRecordFields } from '../deal/useRecordFields.ts'
import { ContactDataActions } from '../imports/ContactDataActions.tsx'
import { TaskList } from '../tasks/TaskList.tsx'
import { ArchiveButton } from '../trash/ArchiveButton.tsx'
import { ContactDeals, ContactTickets } from './ContactRelated.tsx'
import '../deal/recordPage.css'

type TextField = 'firstName' | 'lastName' | 'email' | 'phone' | 'title'
const TEXT_FIELDS: ReadonlyArray<[TextField, string, (text: string) => FieldInput<string>]> = [
  ['firstName', 'First name', (t) => parseText(t.trim(), 'The first name', 100)],
  ['lastName', 'Last name', (t) => parseText(t.trim(), 'The last name', 100)],
  ['email', 'Email', parseEmail],
  ['phone', 'Phone', (t) => parseText(t, 'The phone number', 50)],
  ['title', 'Job title', (t) => parseText(t, 'The job title', 200)],
]
const sentence = (value: string) => value.charAt(0).toUpperCase() + value.slice(1)

const fullName = (c: Contact) => `${c.firstName} ${c.lastName}`.trim() || 'Unnamed contact'

/**
 * `#/contacts/<id>`: every field of a contact, live from its own document `W/contact/C`, with its account, activity,
 * deals and tickets.
 */
export function ContactPage({ contactId }: { contactId: string }) {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const contactsDoc = useDoc(recordDocRef(workspaceId, 'contact', contactId))
  const contacts = useLiveRecords(contactsDoc.doc, CONTACTS)
  const live = contacts.byId.get(contactId)
  const path = `/api/contacts/${encodeURIComponent(contactId)}`
  const serverCopy = useServerCopy(path, () => authApi.get(path, Contact), !live && !contactsDoc.synced)
  const contact = live ?? serverCopy ?? undefined
  const locked = contactsDoc.readOnly || !live || !contactsDoc.doc

  const { editors, presence, setError, write, common } = useRecordFields<ContactPatch>({
    doc: contactsDoc.doc,
    provider: contactsDoc.provider,
    locked,
    id: contactId,
    prefix: `contact.${contactId}.`,
    update: updateContact,
  })
  const accountName = useAccountName(contact?.accountId ?? null)

  if (contactsDoc.noAccess)
    return (
      <div className="notice notice--error" data-testid="no-access">
        You do not have access to contacts.
      </div>
    )
  if (!live && contactsDoc.synced)
    return (
      <div className="empty" data-testid="contact-missing">
        This contact does not exist or was deleted. <a href="#/contacts">Back to contacts</a>
      </div>
    )
  if (!contact) return <div className="empty">Loading contact…</div>

  const select = (field: 'leadStatus' | 'source', values: readonly string[]) => ({
    options: values.map((v) => ({ value: v, label: sentence(v) })),
    onCommit: (v: string) => write(field, { [field]: v } as ContactPatch),
  })
  return (
    <div className="record-page" data-testid="contact-page" data-contact={contact.id}>
      <div className="record-page__header">
        <a className="muted" href="#/contacts">
          ← Contacts
        </a>
        <h1 className="page__title record-page__title" data-testid="contact-name">
          {fullName(contact)}
        </h1>
        <ArchiveButton
          kind="contacts"
          id={contact.id}
          readOnly={locked}
          onArchived={() => {
            window.location.hash = '#/contacts'
          }}
        />
        <ContactDataActions contactId={contact.id} name={fullName(contact)} />
        <p className="muted record-page__title">
          {contact.title}
          {contact.accountId && (
            <>
              {contact.title ? ' at ' : ''}
              <a href={`#/accounts/${contact.accountId}`} data-testid="contact-account-link">
                {accountName ?? 'its account'}
              </a>
            </>
          )}
        </p>
      </div>
      <div className="record-page__grid">
        <div className="record-page__main">
          <section className="panel" data-testid="contact-details">
            <DetailsHead readOnly={contactsDoc.readOnly} editors={editors} />
            <div className="fields">
              {TEXT_FIELDS.map(([field, label, parse]) => (
                <CheckedField
                  key={field}
                  name={field}
                  label={label}
                  value={contact[field]}
                  onCommit={(text) => {
                    const parsed = parse(text)
                    if (!parsed.ok) setError(field, notSaved(text, parsed.message))
                    else if (
                      (field === 'firstName' ? parsed.value : contact.firstName) === '' &&
                      (field === 'lastName' ? parsed.value : contact.lastName) === ''
                    )
                      setError(field, 'A contact needs a first or a last name.')
                    else write(field, { [field]: parsed.value })
                  }}
                  {...common(field)}
                />
              ))}
              <AccountPicker
                testId="field-accountId"
                label="Account"
                value={contact.accountId}
                readOnly={locked}
                onChange={(accountId) => write('accountId', { accountId })}
                {...presence('accountId')}
              />
              <OwnerField
                value={contact.ownerId}
                onCommit={(ownerId) => write('ownerId', { ownerId })}
                {...common('ownerId')}
              />
              <CheckedField
                name="leadStatus"
                label="Lead status"
                value={contact.leadStatus}
                {...select('leadStatus', LEAD_STATUSES)}
                {...common('leadStatus')}
              />
              <CheckedField
                name="source"
                label="Source"
                value={contact.source}
                {...select('source', LEAD_SOURCES)}
                {...common('source')}
              />
              <CheckedField
                name="score"
                label="Score (0–100)"
                value={String(contact.score)}
                onCommit={(text) => {
                  const parsed = parseScore(text)
                  if (!parsed.ok) setError('score', notSaved(text, parsed.message))
                  else write('score', { score: parsed.value })
                }}
                {...common('score')}
              />
            </div>
            <CustomFieldsSection
              kind="contact"
              values={contact.customFields}
              readOnly={locked}
              onChange={(fieldId, value) =>
                write('customFields', {
                  customFields: { [fieldId]: value },
                })
              }
            />
          </section>
          <RecordTimeline
            accountId={contact.accountId}
            subject={{ kind: 'contact', id: contact.id }}
            title="Activity"
          />
        </div>
        <aside className="record-page__side">
          <ContactDeals accountId={contact.accountId} contactId={contact.id} />
          <ContactTickets contact={contact} />
          {contact.accountId && (
            <TaskList
              scope={{ accountId: contact.accountId, contactId: contact.id }}
              title="Tasks for this contact"
            />
          )}
        </aside>
      </div>
    </div>
  )
}
