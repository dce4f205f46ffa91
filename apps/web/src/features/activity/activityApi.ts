import { Activity, type LogActivityInput, TicketMessage, type TicketMessageInput } from '@rapport/model'
import { z } from 'zod'
import { request } from '../auth/authApi.ts'

const room = (accountId: string) => `/api/accounts/${encodeURIComponent(accountId)}`

/** A deal of an account as the log form and the timeline need it (from `GET /api/deals?accountId=`). */
export const AccountDealRef = z.object({ id: z.string(), title: z.string(), currency: z.string() })
export type AccountDealRef = z.infer<typeof AccountDealRef>

/** Timeline entries and ticket messages are written by the server (the author is the caller), never by the client. */
export const activityApi = {
  log: (accountId: string, input: LogActivityInput): Promise<Activity> =>
    request(`${room(accountId)}/activities`, Activity, { method: 'POST', body: JSON.stringify(input) }),
  remove: (accountId: string, activityId: string): Promise<unknown> =>
    request(`${room(accountId)}/activities/${encodeURIComponent(activityId)}`, z.unknown(), {
      method: 'DELETE',
    }),
  deals: (accountId: string): Promise<AccountDealRef[]> =>
    request(
      `/api/deals?accountId=${encodeURIComponent(accountId)}&limit=200`,
      z.object({ items: z.array(AccountDealRef) }),
    ).then((page) => page.items),
  postTicketMessage: (ticketId: string, input: TicketMessageInput): Promise<TicketMessage> =>
    request(`/api/tickets/${encodeURIComponent(ticketId)}/messages`, TicketMessage, {
      method: 'POST',
      body: JSON.stringify(input),
    }),
}
