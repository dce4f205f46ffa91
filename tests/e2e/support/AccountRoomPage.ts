import type { Locator, Page } from 'playwright-core'

/** The account room: live fields (`field-<name>`) and the shared Tiptap notes (`notes-editor`). */
export class AccountRoomPage {
  readonly room: Locator
  readonly notes: Locator

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.room = page.getByTestId('account-room')
    this.notes = page.getByTestId('notes-editor').locator('.ProseMirror')
  }

  async open(accountId: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/accounts/${accountId}`)
    await this.room.waitFor()
    await this.notes.waitFor()
  }

  field(name: string): Locator {
    return this.page.getByTestId(`field-${name}`)
  }

  /**
   * Puts the caret in the notes and types one keystroke at a time, like a person: at the end of the text, in a new
   * paragraph at the end, or at the end of the first paragraph (below the title, away from the end).
   */
  async typeInNotes(text: string, at: 'end' | 'new-paragraph' | 'first-paragraph' = 'end'): Promise<void> {
    const paragraph = this.notes.locator('p').first()
    if (at === 'first-paragraph' && (await paragraph.count()) > 0) {
      await paragraph.click()
      await this.page.keyboard.press('End')
    } else {
      await this.notes.click()
      await this.page.keyboard.press('Control+End')
      if (at === 'new-paragraph') await this.page.keyboard.press('Enter')
    }
    await this.page.keyboard.type(text, { delay: 5 })
  }

  /** The notes' text without the other users' caret labels (which live inside the editor's DOM). */
  async notesText(): Promise<string> {
    return this.notes.evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement
      for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove()
      return copy.textContent ?? ''
    })
  }

  /** The notes' text blocks (paragraphs, headings) in order, each without the other users' caret labels. */
  async notesBlocks(): Promise<string[]> {
    return this.notes.evaluate((el) =>
      [...el.querySelectorAll('p, h1, h2, h3, h4, h5, h6, pre')].map((block) => {
        const copy = block.cloneNode(true) as HTMLElement
        for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove()
        return copy.textContent ?? ''
      }),
    )
  }

  /** Clicks into the notes and puts the caret at the very end (Ctrl+End). */
  async caretToNotesEnd(): Promise<void> {
    await this.notes.click()
    await this.page.keyboard.press('Control+End')
  }

  /**
   * Clicks into the notes and puts the caret right after the first occurrence of `text` (within one text node of
   * the notes, never in another user's caret label), through the DOM selection that ProseMirror reads.
   */
  async caretAfter(text: string): Promise<void> {
    await this.notes.click()
    const placed = await this.notes.evaluate((el, wanted) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement?.closest('.collaboration-carets__caret')) continue
        const at = node.textContent?.indexOf(wanted) ?? -1
        if (at < 0) continue
        document.getSelection()?.collapse(node, at + wanted.length)
        return true
      }
      return false
    }, text)
    if (!placed) throw new Error(`no "${text}" in the notes`)
  }

  /** Types into the focused notes one key at a time, `delay` ms apart (a person typing steadily; `\n` is Enter). */
  async typeSteadily(text: string, delay: number): Promise<void> {
    await this.page.keyboard.type(text, { delay })
  }

  /** Names shown on the other users' carets in the notes (CollaborationCaret labels). */
  async caretNames(): Promise<string[]> {
    return this.page.getByTestId('notes-editor').locator('.collaboration-carets__label').allInnerTexts()
  }

  /** Replaces a text field's value and commits it with Enter (the field keeps focus). */
  async editField(name: string, value: string): Promise<void> {
    await this.field(name).fill(value)
    await this.field(name).press('Enter')
  }

  async fieldValue(name: string): Promise<string> {
    return this.field(name).inputValue()
  }

  /** Names of the other users shown under "Here now". */
  async hereNow(): Promise<string[]> {
    const avatars = this.room.getByTestId('presence-avatars').getByRole('img')
    return avatars.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''))
  }

  /** The "<Name> is editing <field>" notices shown in the room. */
  async editingNotices(): Promise<string[]> {
    return this.room.getByTestId('editing-notice').allInnerTexts()
  }

  /** The notice under a field whose committed value a concurrent set replaced, or null when there is none. */
  async conflictNotice(name: string): Promise<string | null> {
    const text = this.page.getByTestId(`conflict-text-${name}`)
    return (await text.count()) > 0 ? text.innerText() : null
  }

  /** Clicks the notice's "Put mine back". */
  async putMineBack(name: string): Promise<void> {
    await this.page.getByTestId(`put-back-${name}`).click()
  }

  /** Replaces a text field's value, commits it with Enter and leaves the field (so it shows the live value). */
  async setField(name: string, value: string): Promise<void> {
    await this.editField(name, value)
    await this.field(name).blur()
  }

  /** The timeline's entries as shown: one sentence each ("<Name> changed Industry from “A” to “B”"), newest first. */
  async timelineTexts(): Promise<string[]> {
    return this.page.getByTestId('timeline').locator('.timeline__text').allInnerTexts()
  }

  /** Turns the notes' "Show authors" colouring on or off. */
  async showAuthors(on = true): Promise<void> {
    await this.page.getByTestId('show-authors').setChecked(on)
  }

  /** The notes' text as coloured by author: per author name, its runs' text joined, and each run's tooltip. */
  async authorRuns(): Promise<Array<{ author: string; text: string; title: string; color: string }>> {
    return this.notes.locator('.author-run').evaluateAll((els) =>
      els.map((el) => ({
        author: el.getAttribute('data-author-name') ?? '',
        text: el.textContent ?? '',
        title: el.getAttribute('title') ?? '',
        color: getComputedStyle(el).backgroundColor,
      })),
    )
  }

  /** Hovers the first run written by `author` (its tooltip is the title). */
  async hoverAuthorRun(author: string): Promise<string | null> {
    const run = this.notes.locator(`.author-run[data-author-name="${author}"]`).first()
    await run.hover()
    return run.getAttribute('title')
  }

  /** Opens the room's History drawer and waits for its list of versions. */
  async openHistory(): Promise<void> {
    await this.page.getByTestId('open-history').click()
    await this.page.getByTestId('history-versions').waitFor()
  }

  /** The versions listed in the History drawer, newest first (as shown: time and reason). */
  async historyVersions(): Promise<string[]> {
    return this.page.getByTestId('history-version').allInnerTexts()
  }

  /** Picks the `index`-th version of the list (0 = newest; -1 = oldest) and waits for its diff. */
  async pickVersion(index: number): Promise<void> {
    const versions = this.page.getByTestId('history-version')
    const at = index < 0 ? (await versions.count()) + index : index
    await versions.nth(at).click()
    await this.page.getByTestId('history-detail').waitFor()
  }

  /** The picked version's notes diff against now: text added since, and text only in the version. */
  async historyDiff(): Promise<{ added: string[]; removed: string[] }> {
    const diff = this.page.getByTestId('history-diff')
    return {
      added: await diff.locator('ins').allInnerTexts(),
      removed: await diff.locator('del').allInnerTexts(),
    }
  }

  /** A field's row in the picked version: its value then (`was`) and now, and whether it is marked as changed. */
  async historyField(field: string): Promise<{ was: string; now: string; changed: boolean }> {
    const row = this.page
      .getByTestId('history-fields')
      .locator('tr', { has: this.page.locator(`th:text-is("${field}")`) })
    const [was = '', now = ''] = await row.locator('td').allInnerTexts()
    return { was, now, changed: (await row.getAttribute('data-changed')) !== null }
  }

  /** Clicks "Restore this version of the notes" and waits for the confirmation. */
  async restoreVersion(): Promise<string> {
    await this.page.getByTestId('history-restore').click()
    return this.page.getByTestId('history-notice').innerText()
  }
}
