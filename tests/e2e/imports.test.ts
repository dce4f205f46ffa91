import { expect, it } from 'vitest'
import { z } from 'zod'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { e2eSession } from './support/e2eSession.ts'
import { eventually } from './support/eventually.ts'
import { ImportPage, readCsv, screenshotsAt, whileProgressing } from './support/ImportPage.ts'
import { ListPage } from './support/ListPage.ts'

const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number() })
const ContactRow = z.object({ id: z.string(), email: z.string(), lastName: z.string() }).loose()
const ImportJob = z.object({ id: z.string(), status: z.string(), created: z.number() }).loose()
const UndoState = z.object({ status: z.string(), undo: z.unknown().optional() }).loose()
/** Long enough for 1,000 rows imported and undone on a loaded machine; the waits inside fail on a stall, not a time. */
const LONG_TEST_MS = 300_000

const ROWS = 1_000
/** Data rows (1-based) with an address that is not an email: 10, some within the preview's first 50 rows. */
const INVALID_ROWS = new Set([3, 17, 120, 250, 333, 480, 612, 777, 901, 999])
/** Data rows with the email of an existing contact: 20, one of them in the preview. */
const DUPLICATE_ROWS = [5, ...Array.from({ length: 19 }, (_, i) => 60 + i * 47)]
const EMAIL_ERROR = 'Email is not an email address.'

/**
 * A contacts CSV as a spreadsheet exports it: "First name" and "Status" match fields by name; "Family" and
 * "Work mail" match none (the user maps them); "Role" is suggested as the title but holds junk (the user skips it);
 * "Internal id" is skipped.
 */
function contactsCsv(marker: string, existingEmails: readonly string[]): string {
  const lines = ['First name,Family,Work mail,Role,Status,Internal id']
  const duplicateOf = new Map(DUPLICATE_ROWS.map((row, i) => [row, existingEmails[i] ?? '']))
  for (let row = 1; row <= ROWS; row++) {
    const existing = duplicateOf.get(row)
    // An existing contact's address, in other letter case: matching is case-insensitive.
    const email = INVALID_ROWS.has(row)
      ? `not-an-email-${row}`
      : existing
        ? existing.toUpperCase()
        : `person${row}.${marker}@import.example`
    const status = row % 3 === 0 ? 'qualified' : 'new'
    lines.push(`Person${row},${marker},${email},x${row}y,${status},ID-${row}`)
  }
  return `${lines.join('\r\n')}\r\n`
}

e2eDescribe('CSV import wizard', () => {
  const session = e2eSession()
  const shoot = (page: Parameters<typeof session.env.screenshot>[0], name: string) =>
    session.env.screenshot(page, name)

  it(
    'imports 1,000 contacts with mapping fixes, 10 invalid rows and 20 duplicates skipped; failed rows download; undo removes them',
    async () => {
      const user = await session.signIn('sales')
      const url = session.env.server.url
      const wizard = new ImportPage(user.page, url)
      const list = new ListPage(user.page, url)
      const marker = `Zimport${Date.now().toString(36)}`

      const existing = (await user.api('/api/contacts?sort=lastName&limit=200', Items(ContactRow))).items
      const emails = [...new Set(existing.map((c) => c.email).filter((e) => e.includes('@')))].slice(0, 20)
      expect(emails).toHaveLength(20)

      await wizard.open('contacts')
      await wizard.upload(`contacts-${marker}.csv`, contactsCsv(marker, emails))

      // The suggestion, then the user's corrections.
      expect(await wizard.mappedTo('First name')).toBe('firstName')
      expect(await wizard.mappedTo('Status')).toBe('leadStatus')
      expect(await wizard.mappedTo('Role')).toBe('title')
      expect(await wizard.mappedTo('Family')).toBe('__skip__')
      expect(await wizard.mappedTo('Work mail')).toBe('__skip__')
      expect(await wizard.mappedTo('Internal id')).toBe('__skip__')
      await wizard.map('Family', 'lastName')
      await wizard.map('Work mail', 'email')
      await wizard.map('Role', null)
      await wizard.duplicatePolicy('skip', 'email')

      // The preview follows the mapping: errors beside the cell in plain words, the duplicate flagged.
      await eventually(() => wizard.cellErrors(3, 'email')).toEqual([EMAIL_ERROR])
      expect(await wizard.cellErrors(17, 'email')).toEqual([EMAIL_ERROR])
      expect(await wizard.cellErrors(4, 'email')).toEqual([])
      await eventually(() => wizard.duplicateNote(5)).toMatch(/^Duplicate of /)
      expect(await wizard.duplicateNote(4)).toBe('')
      expect(await wizard.problems()).toEqual([])
      const mapping = await screenshotsAt(user.page, shoot, 'import-mapping', 'import-page')
      expect(mapping.fitsPhone).toBe(true)

      // A colleague has the contacts list open, searched for this file's rows: they arrive in it while the import
      // runs, through the change feed, whose events the import commits together come as batch messages.
      const colleague = await session.signIn('sales2')
      const feedFrames: string[] = []
      colleague.page.on('websocket', (socket) =>
        socket.on('framereceived', ({ payload }) => {
          const text = typeof payload === 'string' ? payload : payload.toString('latin1')
          if (text.includes('"type":"batch"')) feedFrames.push(text)
        }),
      )
      const theirList = new ListPage(colleague.page, url)
      // A fresh load, so its socket opens after the listener above.
      await colleague.page.goto('about:blank')
      await theirList.open('contacts')
      await theirList.search(marker)
      await eventually(() => theirList.countText()).toMatch(/^0 of \d+ contacts$/)

      // Start, and watch the progress bar run to the end.
      await wizard.start()
      const seen: number[] = []
      await whileProgressing(
        async () => {
          const p = await wizard.progress()
          seen.push(p.processed)
          return p
        },
        (p) => p.status === 'done',
        (p) => p.processed,
      )
      expect(await wizard.progress()).toMatchObject({ processed: ROWS, total: ROWS })
      expect(seen).toEqual([...seen].sort((a, b) => a - b)) // never goes back
      expect(await wizard.count('created')).toBe(ROWS - 10 - 20)
      expect(await wizard.count('skipped')).toBe(20)
      expect(await wizard.count('failed')).toBe(10)
      expect(await wizard.count('updated')).toBe(0)
      // The colleague's list holds them, without a reload; the records came in batches, not 970 messages.
      await eventually(() => theirList.countText()).toMatch(new RegExp(`^${ROWS - 30} of \\d+ contacts$`))
      expect(feedFrames.length).toBeGreaterThan(0)
      const result = await screenshotsAt(user.page, shoot, 'import-result', 'import-page')
      expect(result.fitsPhone).toBe(true)

      // The failed rows: their original columns and the reason.
      const failed = await wizard.downloadFailedRows()
      const failedRows = readCsv(failed.text)
      expect(failedRows).toHaveLength(10)
      expect(Object.keys(failedRows[0] ?? {})).toEqual([
        'First name',
        'Family',
        'Work mail',
        'Role',
        'Status',
        'Internal id',
        'reason',
      ])
      expect(new Set(failedRows.map((r) => Number(r['Internal id']?.slice('ID-'.length))))).toEqual(
        INVALID_ROWS,
      )
      for (const r of failedRows) {
        expect(r.reason).toBe(EMAIL_ERROR)
        expect(r['Work mail']).toBe(`not-an-email-${r['Internal id']?.slice('ID-'.length)}`)
      }

      // The imported contacts are in the list; the skipped duplicates did not change the existing ones.
      await list.open('contacts')
      await list.search(marker)
      await eventually(() => list.countText()).toMatch(new RegExp(`^${ROWS - 30} of \\d+ contacts$`))
      const jobId = (await user.api('/api/imports', z.object({ imports: z.array(ImportJob) }))).imports[0]?.id
      if (!jobId) throw new Error('the import is not in the history')

      // Undo from the history (after confirming): the created contacts leave the list.
      await wizard.openHistory()
      expect(await wizard.historyStatus(jobId)).toBe('done')
      await wizard.undo(jobId)
      await whileProgressing(
        () => user.api(`/api/imports/${jobId}`, UndoState),
        (job) => job.status === 'undone',
        (job) => job.undo,
      )
      await eventually(() => wizard.historyStatus(jobId)).toBe('undone')
      await expect(
        wizard.historyItem(jobId).getByTestId('import-undo-result').textContent(),
      ).resolves.toMatch(new RegExp(`^${ROWS - 30} created records moved to the trash`))
      const history = await screenshotsAt(user.page, shoot, 'import-history', 'imports-page')
      expect(history.fitsPhone).toBe(true)
      await list.open('contacts')
      await list.search(marker)
      await eventually(() => list.countText()).toMatch(/^0 of \d+ contacts$/)
      const left = await user.api(`/api/contacts?q=${marker}&limit=1`, Items(ContactRow))
      expect(left.total).toBe(0)
    },
    LONG_TEST_MS,
  )

  it('a viewer cannot import: the wizard says so in plain words', async () => {
    const viewer = await session.signIn('viewer')
    await viewer.page.goto(`${session.env.server.url}/#/import/contacts`)
    await expect(viewer.page.getByTestId('no-access').textContent()).resolves.toBe(
      'Your role may not create contacts, so it cannot import them.',
    )
  })

  /** A plain contacts CSV of `rows` rows, every row valid and new. */
  const bigCsv = (marker: string, rows: number): string => {
    const lines = ['First name,Last name,Email']
    for (let row = 1; row <= rows; row++)
      lines.push(`P${row},${marker},p${row}.${marker.toLowerCase()}@bulk.example`)
    return `${lines.join('\n')}\n`
  }
  const BIG = 20_000
  const RESUMED = 5_000
  const ImportCounts = z
    .object({
      processed: z.number(),
      created: z.number(),
      updated: z.number(),
      skipped: z.number(),
      failed: z.number(),
    })
    .loose()

  it('cancel stops a running import with its counts kept', async () => {
    const user = await session.signIn('sales')
    const wizard = new ImportPage(user.page, session.env.server.url)
    const marker = `Zcancel${Date.now().toString(36)}`
    await wizard.open('contacts')
    await wizard.upload(`${marker}.csv`, bigCsv(marker, BIG))
    await eventually(() => wizard.problems()).toEqual([])
    await wizard.start()
    await eventually(async () => (await wizard.progress()).processed, 60_000).toBeGreaterThan(0)
    await user.page.getByTestId('import-cancel').click()
    await eventually(async () => (await wizard.progress()).status, 60_000).toBe('cancelled')
    const stopped = await wizard.progress()
    expect(stopped.processed).toBeLessThan(BIG)
    expect(await wizard.count('created')).toBe(stopped.processed)
    const created = await user.api(`/api/contacts?q=${marker}&limit=1`, Items(ContactRow))
    expect(created.total).toBe(stopped.processed)
  })

  it(
    'a server killed mid-import marks it interrupted; Resume finishes it without creating a row twice',
    async () => {
      const user = await session.signIn('sales')
      const env = session.env
      const wizard = new ImportPage(user.page, env.server.url)
      const marker = `Zresume${Date.now().toString(36)}`
      await wizard.open('contacts')
      await wizard.upload(`${marker}.csv`, bigCsv(marker, RESUMED))
      await eventually(() => wizard.problems()).toEqual([])
      await wizard.start()
      const jobId = await user.page.getByTestId('import-progress').getAttribute('data-id')
      if (!jobId) throw new Error('the progress panel names no import')
      await eventually(async () => (await wizard.progress()).processed, 60_000).toBeGreaterThan(0)

      await env.server.restart('SIGKILL')

      await wizard.openHistory()
      await eventually(() => wizard.historyStatus(jobId), 30_000).toBe('interrupted')
      await wizard.historyItem(jobId).getByTestId('import-resume').click()
      await whileProgressing(
        () => user.api(`/api/imports/${jobId}`, ImportCounts),
        (job) => job.status === 'done',
        (job) => job.processed,
      )
      await eventually(() => wizard.historyStatus(jobId)).toBe('done')
      // Every row once: rows written before the kill but not yet counted are found again as duplicates (skipped).
      const counts = await user.api(`/api/imports/${jobId}`, ImportCounts)
      expect(counts).toMatchObject({ processed: RESUMED, updated: 0, failed: 0 })
      expect(counts.created + counts.skipped).toBe(RESUMED)
      await expect(wizard.historyItem(jobId).getByTestId('import-counts').textContent()).resolves.toBe(
        `${counts.created} created · 0 updated · ${counts.skipped} skipped · 0 failed`,
      )
      const created = await user.api(`/api/contacts?q=${marker}&limit=1`, Items(ContactRow))
      expect(created.total).toBe(RESUMED)
    },
    LONG_TEST_MS,
  )
})
