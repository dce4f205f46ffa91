import { describe, expect, it } from 'vitest'
import { csvHref, customPeriodProblem, DEFAULT_FILTERS, filterQuery, recordHref } from './reportsApi.ts'

describe('report filters', () => {
  it('write only what is set; dates only with a custom period', () => {
    expect(filterQuery(DEFAULT_FILTERS)).toBe('period=quarter')
    expect(
      filterQuery({
        ...DEFAULT_FILTERS,
        period: 'year',
        from: '2026-01-01',
        ownerId: 'usr_1',
        team: 'sales',
      }),
    ).toBe('period=year&ownerId=usr_1&team=sales')
    expect(
      filterQuery({
        ...DEFAULT_FILTERS,
        period: 'custom',
        from: '2026-01-01',
        to: '2026-03-31',
        pipelineId: 'p 1',
      }),
    ).toBe('period=custom&from=2026-01-01&to=2026-03-31&pipelineId=p+1')
    expect(csvHref('sales.pipeline', { ...DEFAULT_FILTERS, period: 'all' })).toBe(
      '/api/reports/sales.pipeline?period=all&format=csv',
    )
  })

  it('a custom period applies once both dates are chosen, in order', () => {
    expect(customPeriodProblem(DEFAULT_FILTERS)).toBeNull()
    const custom = { ...DEFAULT_FILTERS, period: 'custom' as const }
    expect(customPeriodProblem(custom)).toBe('Choose both dates of the custom period.')
    expect(customPeriodProblem({ ...custom, from: '2026-02-01', to: '2026-01-01' })).toMatch(/start before/)
    expect(customPeriodProblem({ ...custom, from: '2026-01-01', to: '2026-01-01' })).toBeNull()
  })

  it('links each drilled record to its page', () => {
    expect(recordHref('deals', 'deal_1')).toBe('#/deals/deal_1')
    expect(recordHref('tickets', 'tkt_1')).toBe('#/support/tkt_1')
    expect(recordHref('contacts', 'con_1')).toBe('#/contacts/con_1')
    expect(recordHref('accounts', 'acc_1')).toBe('#/accounts/acc_1')
  })
})
