import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { lazyPage } from './lazyPage.tsx'

function Room({ id }: { id: string }) {
  return <p>room {id}</p>
}

describe('lazyPage', () => {
  it('shows the placeholder until the chunk is loaded, then the page in its first render (no Suspense)', async () => {
    let loads = 0
    const page = lazyPage(async () => {
      loads += 1
      return Room
    }, 'Loading room…')
    expect(renderToStaticMarkup(<page.Page id="a" />)).toBe('<div class="empty">Loading room…</div>')
    await page.preload()
    // A page whose chunk is already here renders at once: an in-app navigation shows no placeholder at all.
    expect(renderToStaticMarkup(<page.Page id="a" />)).toBe('<p>room a</p>')
    await page.preload()
    expect(loads).toBe(1)
  })

  it('asks again after a failed load', async () => {
    let attempt = 0
    const page = lazyPage(async () => {
      attempt += 1
      if (attempt === 1) throw new Error('offline')
      return Room
    })
    await expect(page.preload()).rejects.toThrow('offline')
    await expect(page.preload()).resolves.toBe(Room)
    expect(renderToStaticMarkup(<page.Page id="b" />)).toBe('<p>room b</p>')
  })
})
