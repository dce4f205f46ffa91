import { describe, expect, it } from 'vitest'
import { createLogger, shouldColor } from './logger.ts'

const ESC = '\u001b['

const capture = (color?: boolean) => {
  const lines: string[] = []
  const logger = createLogger({
    level: 'debug',
    format: 'pretty',
    write: (line) => lines.push(line),
    ...(color === undefined ? {} : { color }),
  })
  return { lines, logger }
}

describe('logger colour', () => {
  it('writes no escape codes when the output is not a terminal', () => {
    expect(shouldColor({ isTTY: false }, {})).toBe(false)
    expect(shouldColor({}, {})).toBe(false)
    const { lines, logger } = capture(false)
    logger.info('started', { port: 3000 })
    logger.warn('slow')
    logger.child('automation').error('failed', { error: new Error('boom') })
    expect(lines).toHaveLength(3)
    for (const line of lines) expect(line).not.toContain(ESC)
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} info {2}\[rapport\] started port=3000$/)
  })

  it('colours only a terminal with NO_COLOR unset or empty', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true)
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true)
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    const { lines, logger } = capture(true)
    logger.info('started')
    expect(lines[0]).toContain(`${ESC}36minfo`)
  })

  it('follows the process when not told: vitest writes to a pipe, so no colour', () => {
    const { lines, logger } = capture()
    logger.info('started')
    expect(lines[0]?.includes(ESC)).toBe(shouldColor())
  })

  it('never colours JSON lines', () => {
    const lines: string[] = []
    createLogger({ level: 'info', format: 'json', color: true, write: (l) => lines.push(l) }).info('x')
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', msg: 'x', scope: 'rapport' })
  })
})
