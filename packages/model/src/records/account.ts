import type * as Y from 'yjs'
import { z } from 'zod'
import { idString, newId } from '../ids.ts'
import { COLLECTION } from '../layout.ts'
import { Team } from '../roles.ts'
import { customFieldValues } from './customFields.ts'
import { parseInput } from './parseInput.ts'
import { type CommandOptions, nowOf, recordBase, userId } from './recordBase.ts'
import { createRecord, type RecordCollection, updateRecord } from './recordMap.ts'

export const AccountId = idString.brand<'AccountId'>()
export type AccountId = z.infer<typeof AccountId>
export function newAccountId(): AccountId {
  return newId('acc') as AccountId
}

export const ACCOUNT_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1000+'] as const
export const ACCOUNT_TIERS = ['strategic', 'growth', 'standard'] as const

export { customFieldValues }

const accountFields = {
  name: z.string().trim().min(1).max(200),
  domain: z.string().max(253),
  industry: z.string().max(100),
  size: z.enum(ACCOUNT_SIZES).nullable(),
  tier: z.enum(ACCOUNT_TIERS),
  ownerId: userId.nullable(),
  team: Team,
  phone: z.string().max(50),
  website: z.string().max(500),
  city: z.string().max(100),
  country: z.string().max(100),
  customFields: customFieldValues,
}

export const Account = z.object({
  id: AccountId,
  ...recordBase,
  ...accountFields,
  customFields: customFieldValues.default({}),
})
export type Account = z.infer<typeof Account>

/** Input of `createAccount`: only `name` is required. */
export const AccountCreate = z.object({
  id: idString.optional(),
  name: accountFields.name,
  domain: accountFields.domain.default(''),
  industry: accountFields.industry.default(''),
  size: accountFields.size.default(null),
  tier: accountFields.tier.default('standard'),
  ownerId: accountFields.ownerId.default(null),
  team: accountFields.team.default('sales'),
  phone: accountFields.phone.default(''),
  website: accountFields.website.default(''),
  city: accountFields.city.default(''),
  country: accountFields.country.default(''),
  customFields: customFieldValues.default({}),
})
export type AccountCreate = z.input<typeof AccountCreate>

export const AccountPatch = z.object(accountFields).partial()
export type AccountPatch = z.input<typeof AccountPatch>

export const ACCOUNTS: RecordCollection<Account> = { name: COLLECTION.accounts, schema: Account }

export function createAccount(
  doc: Y.Doc,
  input: AccountCreate,
  origin: unknown,
  options?: CommandOptions,
): Account {
  const { id, ...fields } = parseInput(AccountCreate, input)
  const now = nowOf(options)
  return createRecord(
    doc,
    ACCOUNTS,
    { id: id ?? newAccountId(), createdAt: now, updatedAt: now, archived: false, ...fields },
    origin,
  )
}

export function updateAccount(
  doc: Y.Doc,
  id: string,
  patch: AccountPatch,
  origin: unknown,
  options?: CommandOptions,
): Account {
  return updateRecord(doc, ACCOUNTS, id, parseInput(AccountPatch, patch), origin, options)
}
