import type { Locator, Page } from 'playwright-core'

export const PHONE = { width: 390, height: 844 } as const
export const DESKTOP = { width: 1440, height: 900 } as const

/** A main page of the app: its hash path and an element that shows once its content is there. */
export interface MainPage {
  name: string
  path: string
  ready: string
}

/** The main pages, each with the element that says it has loaded (ids from the demo workspace where needed). */
export const mainPages = (ids: { accountId: string; contactId: string; dealId: string }): MainPage[] => [
  { name: 'board', path: '/pipelines', ready: '[data-testid^="card-"]' },
  { name: 'accounts', path: '/accounts', ready: '[data-testid^="row-"]' },
  { name: 'account-room', path: `/accounts/${ids.accountId}`, ready: '[data-testid="field-name"]' },
  { name: 'contacts', path: '/contacts', ready: '[data-testid^="row-"]' },
  { name: 'contact', path: `/contacts/${ids.contactId}`, ready: '[data-testid="contact-page"]' },
  { name: 'deal', path: `/deals/${ids.dealId}`, ready: '[data-testid="deal-page"]' },
  { name: 'support', path: '/support', ready: '[data-testid^="ticket-column-"]' },
  { name: 'inbox', path: '/inbox', ready: '[data-testid="inbox"]' },
  { name: 'my-tasks', path: '/tasks', ready: '[data-testid="my-tasks"]' },
  { name: 'trash', path: '/trash', ready: '[data-testid="trash"]' },
  { name: 'settings', path: '/settings/pipelines', ready: '[data-testid="settings-page"]' },
  { name: 'members', path: '/members', ready: '[data-testid="members-page"]' },
]

/**
 * The layout seen at a given screen size: the top bar (one line on a desktop, a Menu button on a phone), sideways
 * overflow of the page, and elements that stick out of the screen.
 */
export class ResponsiveUi {
  readonly menuButton: Locator
  readonly topbar: Locator

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.menuButton = page.getByTestId('nav-menu')
    this.topbar = page.locator('header.topbar')
  }

  async resize(size: { width: number; height: number }): Promise<void> {
    await this.page.setViewportSize(size)
  }

  /** Opens a hash path and waits for the page's `ready` element. */
  async open(path: string, ready: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#${path}`)
    await this.page.locator(ready).first().waitFor()
  }

  /** Goes to a section through the navigation, opening the Menu first when the screen folds it away. */
  async navigate(section: string): Promise<void> {
    if (await this.menuButton.isVisible()) await this.menuButton.click()
    await this.page.getByTestId(`nav-${section}`).click()
  }

  /** Whether the navigation panel is showing its links. */
  async navVisible(): Promise<boolean> {
    return this.page.getByTestId('nav-pipelines').isVisible()
  }

  /** The page's full width (wider than the screen means a sideways scroll). */
  async pageScrollWidth(): Promise<number> {
    return this.page.evaluate(() => document.documentElement.scrollWidth)
  }

  /** How many lines the visible items of the top bar (and the navigation links) take. */
  async topbarLines(): Promise<number> {
    return this.topbar.evaluate((bar) => {
      const items = [...bar.querySelectorAll(':scope > *, .topnav__link, .topbar__right > *')]
      const tops = items
        .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
        .map((el) => el.getBoundingClientRect())
        .filter((r) => r.width > 0 && r.height > 0)
        .map((r) => r.top + r.height / 2)
      const lines: number[] = []
      for (const middle of tops) if (!lines.some((l) => Math.abs(l - middle) < 12)) lines.push(middle)
      return lines.length
    })
  }

  /** Visible elements whose text contains `text` and whose right edge is beyond the screen or their parent. */
  async overflowingText(text: string): Promise<string[]> {
    return this.page.evaluate((needle) => {
      const out: string[] = []
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.includes(needle)) continue
        const range = document.createRange()
        range.selectNodeContents(node)
        const box = range.getBoundingClientRect()
        if (box.width === 0) continue
        const parent = node.parentElement
        // Text clipped by a box that hides its overflow (an ellipsis cell) ends where that box ends.
        let right = box.right
        for (let el = parent; el; el = el.parentElement)
          if (getComputedStyle(el).overflowX !== 'visible')
            right = Math.min(right, el.getBoundingClientRect().right)
        const host =
          parent?.closest('.card, .panel, .rtable__row, .column, .record-page, main') ?? document.body
        const limit = Math.min(window.innerWidth, host.getBoundingClientRect().right)
        if (right > limit + 1)
          out.push(`${parent?.className || parent?.tagName}: ${Math.round(right)} > ${limit}`)
      }
      return out
    }, text)
  }

  /** How a form control looks: whether it says it is read-only and whether it has the chrome of an input. */
  async controlLook(
    control: Locator,
  ): Promise<{ ariaReadonly: string | null; cursor: string; border: string; background: string }> {
    return {
      ariaReadonly: await control.getAttribute('aria-readonly'),
      ...(await control.evaluate((el) => {
        const style = getComputedStyle(el)
        return { cursor: style.cursor, border: style.borderTopColor, background: style.backgroundColor }
      })),
    }
  }
}
