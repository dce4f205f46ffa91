import { describe, expect, it } from 'vitest'
import { parseRoute, routeHref, routeSection } from './route.ts'

describe('parseRoute', () => {
  it('defaults to the pipelines board', () => {
    expect(parseRoute('')).toEqual({ name: 'pipelines', pipelineId: null })
    expect(parseRoute('#/')).toEqual({ name: 'pipelines', pipelineId: null })
  })

  it('parses every section and ids', () => {
    expect(parseRoute('#/pipelines/sales')).toEqual({ name: 'pipelines', pipelineId: 'sales' })
    expect(parseRoute('#/accounts')).toEqual({ name: 'accounts' })
    expect(parseRoute('#/accounts/acc_1/')).toEqual({ name: 'account', accountId: 'acc_1' })
    expect(parseRoute('#/contacts')).toEqual({ name: 'contacts' })
    expect(parseRoute('#/support')).toEqual({ name: 'support' })
    expect(parseRoute('#/inbox')).toEqual({ name: 'inbox' })
    expect(parseRoute('#/dashboard')).toEqual({ name: 'dashboard' })
    expect(parseRoute('#/dashboard/x1').name).toBe('notFound')
    expect(routeHref({ name: 'dashboard' })).toBe('#/dashboard')
    expect(parseRoute('#/contacts/con_1')).toEqual({ name: 'contact', contactId: 'con_1' })
    expect(parseRoute('#/deals/deal_1')).toEqual({ name: 'deal', dealId: 'deal_1' })
    expect(parseRoute('#/support/tkt_1')).toEqual({ name: 'ticket', ticketId: 'tkt_1' })
  })

  it('rejects junk instead of building document names from it', () => {
    expect(parseRoute('#/accounts/a%2Fb').name).toBe('notFound')
    expect(parseRoute('#/accounts/a/b').name).toBe('notFound')
    expect(parseRoute('#/inbox/x').name).toBe('notFound')
    expect(parseRoute('#/nope').name).toBe('notFound')
    expect(parseRoute('#/deals').name).toBe('notFound')
    expect(parseRoute('#/deals/a%2Fb').name).toBe('notFound')
  })

  it('round-trips through routeHref', () => {
    for (const hash of [
      '#/pipelines',
      '#/pipelines/p1',
      '#/accounts',
      '#/accounts/acc_2',
      '#/support',
      '#/support/tkt_2',
      '#/contacts/con_2',
      '#/deals/deal_2',
    ]) {
      expect(routeHref(parseRoute(hash))).toBe(hash)
    }
    expect(routeSection(parseRoute('#/accounts/acc_2'))).toBe('accounts')
    expect(routeSection(parseRoute('#/contacts/con_2'))).toBe('contacts')
    expect(routeSection(parseRoute('#/deals/deal_2'))).toBe('pipelines')
    expect(routeSection(parseRoute('#/support/tkt_2'))).toBe('support')
  })

  it('parses the import wizard per kind, the import history and the duplicates page', () => {
    expect(parseRoute('#/import/contacts')).toEqual({ name: 'import', kind: 'contacts' })
    expect(parseRoute('#/import/tickets')).toEqual({ name: 'import', kind: 'tickets' })
    expect(parseRoute('#/import/tasks').name).toBe('notFound')
    expect(parseRoute('#/import').name).toBe('notFound')
    expect(parseRoute('#/imports')).toEqual({ name: 'imports' })
    expect(parseRoute('#/imports/x').name).toBe('notFound')
    expect(parseRoute('#/duplicates')).toEqual({ name: 'duplicates' })
    for (const hash of ['#/import/accounts', '#/imports', '#/duplicates'])
      expect(routeHref(parseRoute(hash))).toBe(hash)
  })
})
