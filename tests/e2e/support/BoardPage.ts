import type { Locator, Page } from 'playwright-core'

/** The pipeline kanban (`board`, `column-<stageId>`, `card-<dealId>`, `count-<stageId>`). */
export class BoardPage {
  readonly board: Locator

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.board = page.getByTestId('board')
  }

  async open(pipelineId?: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/pipelines${pipelineId ? `/${pipelineId}` : ''}`)
    await this.board.waitFor()
    await this.page.locator('[data-testid^="card-"]').first().waitFor()
  }

  /** Opens a board that may have no deals yet and waits for its columns. */
  async openColumns(pipelineId?: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#/pipelines${pipelineId ? `/${pipelineId}` : ''}`)
    await this.board.locator('[data-testid^="column-"]').first().waitFor()
  }

  /** Stage ids in board order. */
  async stageIds(): Promise<string[]> {
    const ids = await this.board
      .locator('[data-testid^="column-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? ''))
    return ids.map((id) => id.slice('column-'.length))
  }

  column(stageId: string): Locator {
    return this.page.getByTestId(`column-${stageId}`)
  }

  card(dealId: string): Locator {
    return this.page.getByTestId(`card-${dealId}`)
  }

  /** Deal ids of the cards rendered in a column, top to bottom. */
  async cardIds(stageId: string): Promise<string[]> {
    const ids = await this.column(stageId)
      .locator('[data-testid^="card-"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? ''))
    return ids.map((id) => id.slice('card-'.length))
  }

  /** The stage a card is shown in (its `data-column`), or null when it is not rendered. */
  async cardStage(dealId: string): Promise<string | null> {
    if ((await this.card(dealId).count()) === 0) return null
    return this.card(dealId).getAttribute('data-column')
  }

  async count(stageId: string): Promise<number> {
    return Number(((await this.page.getByTestId(`count-${stageId}`).textContent()) ?? '').trim())
  }

  /**
   * Drags a card onto another column with the mouse, in steps: dnd-kit's pointer sensor activates only after the
   * pointer moved a few pixels, and collision detection needs intermediate moves.
   */
  async dragCard(dealId: string, toStageId: string): Promise<void> {
    const card = this.card(dealId)
    await card.scrollIntoViewIfNeeded()
    const from = await card.boundingBox()
    const to = await this.column(toStageId).boundingBox()
    if (!from || !to) throw new Error(`card ${dealId} or column ${toStageId} is not visible`)
    const startX = from.x + from.width / 2
    const startY = from.y + 24
    await this.page.mouse.move(startX, startY)
    await this.page.mouse.down()
    await this.page.mouse.move(startX + 12, startY + 4, { steps: 4 })
    const targetX = to.x + to.width / 2
    const targetY = to.y + Math.min(to.height / 2, 160)
    await this.page.mouse.move(targetX, targetY, { steps: 12 })
    await this.page.mouse.move(targetX + 2, targetY + 2, { steps: 2 })
    await this.page.mouse.up()
  }

  /**
   * Drags a card to the top of another column in small steps, ending over the upper part of that column's first
   * card (the move that used to crash the board).
   */
  async dragCardToTop(dealId: string, toStageId: string): Promise<void> {
    const card = this.card(dealId)
    await card.scrollIntoViewIfNeeded()
    const from = await card.boundingBox()
    const firstTarget = this.column(toStageId).locator('[data-testid^="card-"]').first()
    const to =
      (await firstTarget.count()) > 0
        ? await firstTarget.boundingBox()
        : await this.column(toStageId).boundingBox()
    if (!from || !to) throw new Error(`card ${dealId} or column ${toStageId} is not visible`)
    const startX = from.x + from.width / 2
    const startY = from.y + from.height / 2
    await this.page.mouse.move(startX, startY)
    await this.page.mouse.down()
    await this.page.mouse.move(startX + 10, startY, { steps: 3 })
    const targetX = to.x + to.width / 2
    const targetY = to.y + 8
    await this.page.mouse.move(targetX, targetY, { steps: 20 })
    await this.page.mouse.move(targetX, targetY + 2, { steps: 2 })
    await this.page.mouse.up()
  }

  /** Moves a card with the keyboard only: focus, Space picks it up, arrows move it, Space drops it. */
  async keyboardMove(dealId: string, keys: readonly string[]): Promise<void> {
    const card = this.card(dealId)
    await card.focus()
    await this.page.keyboard.press('Space')
    await card.and(this.page.locator('[data-lifted="true"]')).waitFor()
    // A move into another column re-mounts the card there (on a phone, once that column shows): the next key
    // goes to the card only after it has the focus again.
    const liftedAndFocused = this.page.locator('[data-lifted="true"]:focus')
    for (const key of keys) {
      await this.page.keyboard.press(key)
      await liftedAndFocused.waitFor()
    }
    await this.page.keyboard.press('Space')
  }

  /** How many pixels of a column the board shows (0 when it is scrolled out of view). */
  async visibleWidth(stageId: string): Promise<number> {
    const frame = await this.board.boundingBox()
    const column = await this.column(stageId).boundingBox()
    if (!frame || !column) return 0
    return Math.max(0, Math.min(column.x + column.width, frame.x + frame.width) - Math.max(column.x, frame.x))
  }

  /**
   * Drags a card onto a column the way a person does on a board wider than the screen: when at least half of the
   * column shows, straight onto the middle of its visible part; otherwise to the board's edge on the column's side,
   * holding there until auto-scroll has brought the whole column into view, then onto the column's middle.
   * Leaves the pointer released over the column.
   */
  async dragCardOnto(dealId: string, toStageId: string): Promise<void> {
    const card = this.card(dealId)
    await card.scrollIntoViewIfNeeded()
    const from = await card.boundingBox()
    const frame = await this.board.boundingBox()
    if (!from || !frame) throw new Error(`card ${dealId} or the board is not visible`)
    const y = frame.y + Math.min(frame.height / 2, 260)
    const startX = from.x + from.width / 2
    const startY = from.y + 24
    await this.page.mouse.move(startX, startY)
    await this.page.mouse.down()
    await this.page.mouse.move(startX + 12, startY + 4, { steps: 4 })
    const column = this.column(toStageId)
    if ((await this.visibleWidth(toStageId)) < HALF_COLUMN) {
      const box = await column.boundingBox()
      if (!box) throw new Error(`column ${toStageId} is not rendered`)
      const right = box.x > frame.x
      const edgeX = right ? frame.x + frame.width - 4 : frame.x + 4
      await this.page.mouse.move(edgeX, y, { steps: 16 })
      // Hold still at the edge: dnd-kit's auto-scroll keeps scrolling until the column is wholly in view.
      await this.page.waitForFunction(
        (testId) => {
          const c = document.querySelector(`[data-testid="${testId}"]`)?.getBoundingClientRect()
          const b = document.querySelector('[data-testid="board"]')?.getBoundingClientRect()
          return c !== undefined && b !== undefined && c.left >= b.left - 1 && c.right <= b.right + 1
        },
        `column-${toStageId}`,
        { polling: 'raf', timeout: 15_000 },
      )
      // Seeing the column, a person moves off the edge and waits for the board to stop before aiming at it.
      await this.page.mouse.move(right ? edgeX - 80 : edgeX + 80, y, { steps: 4 })
      await this.boardStill()
    }
    const box = await column.boundingBox()
    if (!box) throw new Error(`column ${toStageId} is not rendered`)
    const left = Math.max(box.x, frame.x)
    const right = Math.min(box.x + box.width, frame.x + frame.width)
    const targetX = (left + right) / 2
    await this.page.mouse.move(targetX, y, { steps: 12 })
    await this.page.mouse.move(targetX + 2, y + 2, { steps: 2 })
    // ...and lets go once nothing moves under the pointer any more (a board that keeps scrolling is the trap).
    await this.boardStill()
    await this.page.mouse.up()
  }

  /** Resolves once the board has not scrolled sideways for 12 animation frames in a row. */
  async boardStill(): Promise<void> {
    await this.board.evaluate(
      (el) =>
        new Promise<void>((resolve, reject) => {
          const deadline = performance.now() + 15_000
          let last = el.scrollLeft
          let still = 0
          const frame = () => {
            still = el.scrollLeft === last ? still + 1 : 0
            last = el.scrollLeft
            if (still >= 12) resolve()
            else if (performance.now() > deadline) reject(new Error('the board kept scrolling for 15 s'))
            else requestAnimationFrame(frame)
          }
          requestAnimationFrame(frame)
        }),
    )
  }

  /** The stage switcher a narrow screen shows above the board (one column at a time). */
  switcher(): Locator {
    return this.page.getByTestId('board-switcher')
  }

  /** On a narrow screen, shows the column of `stageId` through the switcher; on a wide one, nothing to do. */
  async showStage(stageId: string): Promise<void> {
    if (await this.switcher().isVisible()) await this.switcher().selectOption(stageId)
  }

  /** On a narrow screen, shows the column the card is in. */
  async showCard(dealId: string): Promise<void> {
    const stageId = await this.card(dealId).getAttribute('data-column')
    if (stageId) await this.showStage(stageId)
  }

  /** Clicks the Lost shortcut of an open deal's card (shown on hover). */
  async markLost(dealId: string): Promise<void> {
    await this.showCard(dealId)
    await this.card(dealId).scrollIntoViewIfNeeded()
    await this.card(dealId).hover()
    await this.page.getByTestId(`lost-${dealId}`).click()
  }

  /** The dialog that asks why a deal was lost (after a move into a lost stage). */
  lostDialog(): Locator {
    return this.page.getByTestId('lost-reason-dialog')
  }

  /** Answers the lost-reason dialog: Confirm with `reason`, or Cancel (`null`). */
  async answerLost(reason: string | null): Promise<void> {
    const dialog = this.lostDialog()
    await dialog.waitFor()
    if (reason === null) {
      await dialog.getByRole('button', { name: 'Cancel' }).click()
    } else {
      await dialog.getByLabel('Why was it lost?').fill(reason)
      await dialog.getByRole('button', { name: 'Confirm' }).click()
    }
    await dialog.waitFor({ state: 'detached' })
  }
}

/** Half a board column (280 px): less than this showing and a person scrolls the board first. */
const HALF_COLUMN = 140
