import { Account } from '@rapport/model'
import { RecordsById, useRecordsById } from '../lists/recordsById.ts'

const accountCache = new RecordsById('accounts', Account)

/**
 * Accounts read by other pages (a ticket's contact picker names each contact's account) never come from a collection
 * document (issue #12): each from `GET /api/accounts/{id}` once per tab, kept current by the change feed.
 */
export function useAccountsById(ids: readonly (string | null | undefined)[]): ReadonlyMap<string, Account> {
  return useRecordsById(accountCache, ids)
}
