import { lowdbToSqlite } from './lowdbToSqlite.ts'
import type { Migration } from './Migration.ts'
import { splitAccountsStep } from './splitAccounts.ts'
import { splitContactsStep } from './splitContacts.ts'
import { splitDeals } from './splitDeals.ts'
import { splitTicketsStep } from './splitTickets.ts'

/** Every data-format step, in order: `MIGRATIONS[i]` goes from version i + 1 to i + 2. */
export const MIGRATIONS: readonly Migration[] = [
  lowdbToSqlite,
  splitDeals,
  splitContactsStep(3),
  splitTicketsStep(4),
  splitAccountsStep(5),
]
