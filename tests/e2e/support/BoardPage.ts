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
    for (const key of keys) await this.page.keyboard.press(key)
    await this.page.keyboard.press('Space')
  }
}
