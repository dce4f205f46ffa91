import type * as Y from 'yjs'
import { z } from 'zod'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { customFieldValues } from './customFields.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, nowOf, recordBase, userId } from './recordBase.ts'
import { createRecord, type RecordCollection, updateRecord } from './recordMap.ts'

export const ContactId = idString.brand<'ContactId'>()
export type ContactId = z.infer<typeof ContactId>
export function newContactId(): ContactId {
  return newId('con') as ContactId
}

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'unqualified', 'customer'] as const
export const LEAD_SOURCES = ['web', 'referral', 'event', 'outbound', 'import', 'other'] as const

const contactFields = {
  accountId: idString.nullable(),
  firstName: z.string().trim().max(100),
  lastName: z.string().trim().max(100),
  email: z.union([z.literal(''), z.email().max(320)]),
  phone: z.string().max(50),
  title: z.string().max(200),
  leadStatus: z.enum(LEAD_STATUSES),
  source: z.enum(LEAD_SOURCES),
  score: z.number().int().min(0).max(100),
  ownerId: userId.nullable(),
}

export const Contact = z.object({
  id: ContactId,
  ...recordBase,
  ...contactFields,
  customFields: customFieldValues.default({}),
})
export type Contact = z.infer<typeof Contact>

/** Input of `createContact`: a first or last name is required. */
export const ContactCreate = z
  .object({
    id: idString.optional(),
    accountId: contactFields.accountId.default(null),
    firstName: contactFields.firstName.default(''),
    lastName: contactFields.lastName.default(''),
    email: contactFields.email.default(''),
    phone: contactFields.phone.default(''),
    title: contactFields.title.default(''),
    leadStatus: contactFields.leadStatus.default('new'),
    source: contactFields.source.default('other'),
    score: contactFields.score.default(0),
    ownerId: contactFields.ownerId.default(null),
    customFields: customFieldValues.default({}),
  })
  .refine((c) => c.firstName !== '' || c.lastName !== '', { message: 'a first or last name is required' })
export type ContactCreate = z.input<typeof ContactCreate>

export const ContactPatch = z.object({ ...contactFields, customFields: customFieldValues }).partial()
export type ContactPatch = z.input<typeof ContactPatch>

export const CONTACTS: RecordCollection<Contact> = { name: COLLECTION.contacts, schema: Contact }

export function createContact(
  doc: Y.Doc,
  input: ContactCreate,
  origin: unknown,
  options?: CommandOptions,
): Contact {
  const { id, ...fields } = parseInput(ContactCreate, input)
  const now = nowOf(options)
  return createRecord(
    doc,
    CONTACTS,
    { id: id ?? newContactId(), createdAt: now, updatedAt: now, archived: false, ...fields },
    origin,
  )
}

export function updateContact(
  doc: Y.Doc,
  id: string,
  patch: ContactPatch,
  origin: unknown,
  options?: CommandOptions,
): Contact {
  return updateRecord(doc, CONTACTS, id, parseInput(ContactPatch, patch), origin, options)
}
