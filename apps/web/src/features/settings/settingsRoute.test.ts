import { describe, expect, it } from 'vitest'
import { parseRoute, routeHref, routeSection } from '../../app/route.ts'

describe('settings routes', () => {
  it('parses #/settings/<section> and leaves #/settings to the account page', () => {
    expect(parseRoute('#/settings/pipelines')).toEqual({ name: 'workspaceSettings', section: 'pipelines' })
    expect(parseRoute('#/settings/fields')).toEqual({ name: 'workspaceSettings', section: 'fields' })
    expect(parseRoute('#/settings/nope').name).toBe('notFound')
    expect(parseRoute('#/settings').name).not.toBe('workspaceSettings')
    expect(routeHref({ name: 'workspaceSettings', section: 'sla' })).toBe('#/settings/sla')
    expect(routeSection({ name: 'workspaceSettings', section: 'currency' })).toBe('workspaceSettings')
  })
})
