import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { Download, Locator, Page } from 'playwright-core'
import { REPO_ROOT } from '../../integration/helpers/startServer.ts'

// The server's own CSV parser and zip library (csv-parse, fflate): the files the app hands out are read with the
// libraries that wrote them, not with a hand-made parser.
const fromServer = createRequire(join(REPO_ROOT, 'apps/server/package.json'))
const csvParse = fromServer('csv-parse/sync') as {
  parse: (input: string, options: { bom: boolean; columns: boolean }) => Record<string, string>[]
}
const fflate = fromServer('fflate') as { unzipSync: (data: Uint8Array) => Record<string, Uint8Array> }

/** A CSV file's rows by header name (BOM allowed). */
export const readCsv = (text: string): Record<string, string>[] =>
  csvParse.parse(text, { bom: true, columns: true })

/** A zip file's entries by path. */
export const readZip = (data: Uint8Array): Record<string, Uint8Array> => fflate.unzipSync(data)

/** Clicks `trigger` and returns the download it starts: its suggested name and bytes. */
export async function downloadOf(
  page: Page,
  click: () => Promise<void>,
): Promise<{ fileName: string; bytes: Buffer }> {
  const downloading: Promise<Download> = page.waitForEvent('download')
  await click()
  const download = await downloading
  return { fileName: download.suggestedFilename(), bytes: await readFile(await download.path()) }
}

/**
 * The import wizard (`#/import/<kind>`: file input `import-file`, a select per column `map-<column>`, the duplicate
 * policy `dupe-policy` / `dupe-match`, preview rows `preview-row-<n>`, `import-start`, the progress bar
 * `import-progress-bar` with `data-processed`/`data-total`, counts `import-count-<what>`, `import-failed-rows`) and
 * the import history (`#/imports`: items `import-<id>` with `import-undo`, `import-resume`, the `undo-dialog`).
 */
export class ImportPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(kind: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/import/${kind}`)
    await this.page.getByTestId('import-upload').waitFor()
  }

  /** Chooses a CSV file (bytes given, as a user's file) and waits for the mapping step. */
  async upload(fileName: string, csv: string): Promise<void> {
    await this.page
      .getByTestId('import-file')
      .setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
    await this.page.getByTestId('import-mapping').waitFor()
  }

  mapSelect(column: string): Locator {
    return this.page.getByTestId(`map-${column}`)
  }

  /** The field a column is mapped to (`__skip__` when skipped). */
  async mappedTo(column: string): Promise<string> {
    return this.mapSelect(column).inputValue()
  }

  /** Maps a column to a field key, or skips it (`null`). */
  async map(column: string, field: string | null): Promise<void> {
    await this.mapSelect(column).selectOption(field ?? '__skip__')
  }

  async duplicatePolicy(policy: 'skip' | 'update' | 'create', matchOn: string): Promise<void> {
    await this.page.getByTestId('dupe-policy').selectOption(policy)
    await this.page.getByTestId('dupe-match').selectOption(matchOn)
  }

  previewRow(row: number): Locator {
    return this.page.getByTestId(`preview-row-${row}`)
  }

  /** The error messages shown beside a preview cell. */
  async cellErrors(row: number, field: string): Promise<string[]> {
    return this.page
      .getByTestId(`preview-${row}-${field}`)
      .getByTestId('preview-cell-error')
      .allTextContents()
  }

  /** The preview's "Duplicate of …" note of a row ('' when none). */
  async duplicateNote(row: number): Promise<string> {
    const note = this.page.getByTestId(`preview-${row}-notes`).getByTestId('preview-duplicate')
    return (await note.count()) === 0 ? '' : ((await note.textContent()) ?? '').trim()
  }

  async problems(): Promise<string[]> {
    const list = this.page.getByTestId('import-problems')
    return (await list.count()) === 0 ? [] : list.locator('li').allTextContents()
  }

  startButton(): Locator {
    return this.page.getByTestId('import-start')
  }

  async start(): Promise<void> {
    await this.startButton().click()
    await this.page.getByTestId('import-progress').waitFor()
  }

  /** The progress bar's processed and total rows and the job's status. */
  async progress(): Promise<{ processed: number; total: number | null; status: string }> {
    const bar = this.page.getByTestId('import-progress-bar')
    const total = await bar.getAttribute('data-total')
    return {
      processed: Number(await bar.getAttribute('data-processed')),
      total: total ? Number(total) : null,
      status: (await this.page.getByTestId('import-progress').getAttribute('data-status')) ?? '',
    }
  }

  async count(what: 'created' | 'updated' | 'skipped' | 'failed'): Promise<number> {
    const text = (await this.page.getByTestId(`import-count-${what}`).textContent()) ?? ''
    return Number(text.replace(/[^0-9]/g, ''))
  }

  /** Clicks "Download the failed rows" and returns the downloaded file's text. */
  async downloadFailedRows(): Promise<{ fileName: string; text: string }> {
    const { fileName, bytes } = await downloadOf(this.page, () =>
      this.page.getByTestId('import-failed-rows').click(),
    )
    return { fileName, text: bytes.toString('utf8') }
  }

  async openHistory(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/imports`)
    await this.page.getByTestId('imports-page').waitFor()
  }

  historyItem(id: string): Locator {
    return this.page.getByTestId(`import-${id}`)
  }

  async historyStatus(id: string): Promise<string> {
    return (await this.historyItem(id).getAttribute('data-status')) ?? ''
  }

  /** Undo from the history: the button, then the confirm dialog's confirm. */
  async undo(id: string): Promise<void> {
    await this.historyItem(id).getByTestId('import-undo').click()
    await this.page.getByTestId('undo-dialog').waitFor()
    await this.page.getByTestId('undo-dialog-confirm').click()
    await this.page.getByTestId('undo-dialog').waitFor({ state: 'detached' })
  }
}

/**
 * Waits until `read()` says the work is finished, for as long as it keeps moving: fails only when `progress` has not
 * changed for `stallMs` (a long import or undo on a busy machine is slow, not stuck).
 */
export async function whileProgressing<T>(
  read: () => Promise<T>,
  finished: (value: T) => boolean,
  progress: (value: T) => unknown,
  stallMs = 30_000,
): Promise<T> {
  let last: string | undefined
  let changedAt = Date.now()
  for (;;) {
    const value = await read()
    if (finished(value)) return value
    const now = JSON.stringify(progress(value))
    if (now !== last) {
      last = now
      changedAt = Date.now()
    } else if (Date.now() - changedAt > stallMs)
      throw new Error(`no progress for ${stallMs} ms; last seen ${now}`)
    await new Promise((resolve) => setTimeout(resolve, 250)) // poll interval, not a wait for an outcome
  }
}

const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1440, height: 900 }

/**
 * Screenshots of the current page at 1440 and 390 px wide (tests/artifacts/<name>-1440.png, -390.png); at 390 the
 * element `root` (a data-testid) must fit the screen and not scroll sideways. Leaves the page at 1440.
 */
export async function screenshotsAt(
  page: Page,
  shoot: (page: Page, name: string) => Promise<void>,
  name: string,
  root: string,
): Promise<{ fitsPhone: boolean }> {
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur()
    window.scrollTo(0, 0)
  })
  await page.mouse.move(PHONE.width - 1, PHONE.height - 1)
  await page.setViewportSize(DESKTOP)
  await shoot(page, `${name}-1440`)
  await page.setViewportSize(PHONE)
  // A layout pass after the resize, then the measurement.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))))
  const fitsPhone = await page.getByTestId(root).evaluate((el) => {
    const box = el.getBoundingClientRect()
    return (
      box.right <= window.innerWidth + 1 &&
      el.scrollWidth <= el.clientWidth + 1 &&
      document.documentElement.scrollWidth <= window.innerWidth + 1
    )
  })
  await shoot(page, `${name}-390`)
  await page.setViewportSize(DESKTOP)
  return { fitsPhone }
}
