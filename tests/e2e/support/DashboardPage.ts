import type { Locator, Page } from 'playwright-core'

/** One row of a widget's table as the page shows it: the row key and each column's raw value. */
export interface WidgetRow {
  key: string
  values: Record<string, string>
}

/** The dashboard (`#/dashboard`): widgets, their figures, arranging, filters, drill-down and CSV export. */
export class DashboardPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/dashboard`)
    await this.ready()
  }

  /** Waits until the dashboard and its layout are shown. */
  async ready(): Promise<void> {
    await this.page.getByTestId('dashboard-page').waitFor()
  }

  widget(reportId: string): Locator {
    return this.page.getByTestId(`widget-${reportId}`)
  }

  /** Report ids of the widgets in their order on the page. */
  async widgetIds(): Promise<string[]> {
    return this.page
      .locator('[data-report-id]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-report-id') ?? ''))
  }

  async widgetSize(reportId: string): Promise<'small' | 'wide'> {
    const wide = await this.widget(reportId).evaluate((el) => el.classList.contains('widget--wide'))
    return wide ? 'wide' : 'small'
  }

  /** Waits for a widget's figures (its chart or table) to be there. */
  async waitForFigures(reportId: string): Promise<void> {
    await this.widget(reportId)
      .locator('[data-testid="widget-chart"], table.widget__table, .widget__empty:not(:has-text("Loading"))')
      .first()
      .waitFor()
  }

  /** Shows the widget as a table (from its chart), so its figures can be read. */
  async showTable(reportId: string): Promise<void> {
    await this.waitForFigures(reportId)
    const toggle = this.widget(reportId).getByTestId('widget-toggle-table')
    if ((await toggle.count()) > 0 && (await toggle.getAttribute('aria-pressed')) !== 'true')
      await toggle.click()
    await this.widget(reportId).locator('table.widget__table').waitFor()
  }

  async showChart(reportId: string): Promise<void> {
    const toggle = this.widget(reportId).getByTestId('widget-toggle-table')
    if ((await toggle.getAttribute('aria-pressed')) === 'true') await toggle.click()
    await this.widget(reportId).getByTestId('widget-chart').locator('.recharts-surface').first().waitFor()
  }

  /** The rows of a widget shown as a table, raw values by column key (empty when it shows no rows). */
  async rows(reportId: string): Promise<WidgetRow[]> {
    return this.widget(reportId)
      .locator('[data-testid="widget-row"]')
      .evaluateAll((trs) =>
        trs.map((tr) => ({
          key: tr.getAttribute('data-row-key') ?? '',
          values: Object.fromEntries(
            [...tr.querySelectorAll('td')].map((td) => [
              td.getAttribute('data-column') ?? '',
              td.getAttribute('data-value') ?? '',
            ]),
          ),
        })),
      )
  }

  /** One figure of a widget's table (raw), or null when the row is not shown. */
  async value(reportId: string, rowKey: string, column: string): Promise<string | null> {
    const row = (await this.rows(reportId)).find((r) => r.key === rowKey)
    return row?.values[column] ?? null
  }

  /** Clicks the `index`-th bar of the widget's chart (series 0), which opens the drill-down of that row. */
  async clickBar(reportId: string, index: number): Promise<void> {
    const bar = this.widget(reportId).locator('.recharts-bar-rectangle').nth(index)
    await bar.waitFor()
    await bar.locator('path').first().click()
  }

  drillPanel(): Locator {
    return this.page.getByTestId('drilldown-panel')
  }

  /** Ids of the records the drill-down lists, once it has loaded (follows "Show more" to the end). */
  async drillIds(): Promise<string[]> {
    const panel = this.drillPanel()
    await panel.locator('[data-testid="drilldown-item"], .empty:not(:has-text("Loading"))').first().waitFor()
    for (;;) {
      const more = panel.getByTestId('drilldown-more')
      if ((await more.count()) === 0) break
      const before = await panel.getByTestId('drilldown-item').count()
      await more.click()
      await this.page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="drilldown-item"]').length > n,
        before,
      )
    }
    return panel
      .getByTestId('drilldown-item')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''))
  }

  async closeDrill(): Promise<void> {
    await this.page.getByTestId('drilldown-close').click()
    await this.drillPanel().waitFor({ state: 'detached' })
  }

  /** The CSV the widget's export link downloads (fetched with this page's session). */
  async csv(reportId: string): Promise<{ text: string; contentType: string; href: string }> {
    const href = await this.widget(reportId).getByTestId('widget-csv').getAttribute('href')
    if (!href) throw new Error(`widget ${reportId} has no CSV link`)
    const res = await this.page.request.get(new URL(href, this.baseUrl).toString())
    return { text: await res.text(), contentType: res.headers()['content-type'] ?? '', href }
  }

  async arrange(on: boolean): Promise<void> {
    const button = this.page.getByTestId('dashboard-arrange')
    if (((await button.getAttribute('aria-pressed')) === 'true') !== on) await button.click()
    if (on) await this.page.getByTestId('dashboard-arrange-panel').waitFor()
  }

  /** Waits until no layout write is pending and the last one said `text`. */
  async saved(text = 'Layout saved.'): Promise<void> {
    await this.page.locator('[data-testid="dashboard-status"][data-pending="0"]').getByText(text).waitFor()
  }

  async add(reportId: string): Promise<void> {
    await this.page.getByTestId('dashboard-add').selectOption(reportId)
    await this.widget(reportId).waitFor()
    await this.saved()
  }

  async remove(reportId: string): Promise<void> {
    await this.widget(reportId).getByTestId('widget-remove').click()
    await this.widget(reportId).waitFor({ state: 'detached' })
    await this.saved()
  }

  async move(reportId: string, direction: 'up' | 'down'): Promise<void> {
    await this.widget(reportId).getByTestId(`widget-${direction}`).click()
    await this.saved()
  }

  /** Drags a widget by its handle (pointer, in small steps as a hand would) onto the place of `ontoReportId`. */
  async drag(reportId: string, ontoReportId: string): Promise<void> {
    const handle = await this.widget(reportId).getByTestId('widget-handle').boundingBox()
    const target = await this.widget(ontoReportId).boundingBox()
    if (!handle || !target) throw new Error(`widget ${reportId} or ${ontoReportId} is not on screen`)
    const mouse = this.page.mouse
    await mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2)
    await mouse.down()
    await mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 })
    await mouse.move(target.x + target.width / 2 + 2, target.y + target.height / 2 + 2, { steps: 2 })
    await mouse.up()
    await this.saved()
  }

  async toggleSize(reportId: string): Promise<void> {
    await this.widget(reportId).getByTestId('widget-size').click()
    await this.saved()
  }

  async saveAsDefault(): Promise<void> {
    await this.page.getByTestId('dashboard-save-default').click()
    await this.saved('Saved as the workspace default.')
  }

  async resetToDefault(): Promise<void> {
    await this.page.getByTestId('dashboard-reset').click()
    await this.saved('Back to the workspace default.')
  }

  async source(): Promise<string> {
    return (await this.page.getByTestId('dashboard-source').textContent()) ?? ''
  }

  /** Sets the period filter and waits until every widget shows figures for it. */
  async setPeriod(period: 'month' | 'quarter' | 'year' | 'all'): Promise<void> {
    await this.page.getByTestId('filter-period').selectOption(period)
    await this.page.waitForFunction(
      (p) =>
        [...document.querySelectorAll('[data-report-id]')].every(
          (w) => w.getAttribute('data-period') === p && w.getAttribute('data-loading') === 'false',
        ),
      period,
    )
  }
}
