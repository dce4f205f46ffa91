import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { type PageChunk, pageChunk, usePageChunk } from './pageChunk.ts'

type RoomModule = { Room: (props: { id: string }) => React.JSX.Element }
const roomModule: RoomModule = { Room: ({ id }) => <p>room {id}</p> }

function Route({ chunk, id }: { chunk: PageChunk<RoomModule>; id: string }) {
  const m = usePageChunk(chunk)
  return m ? <m.Room id={id} /> : <div className="empty">Loading room…</div>
}

describe('pageChunk', () => {
  it('shows the placeholder until the chunk is loaded, then the page in its first render (no Suspense)', async () => {
    let loads = 0
    const chunk = pageChunk(async () => {
      loads += 1
      return roomModule
    })
    expect(renderToStaticMarkup(<Route chunk={chunk} id="a" />)).toBe(
      '<div class="empty">Loading room…</div>',
    )
    await chunk.load()
    // A page whose chunk is already here renders at once: a first visit that loaded it early shows no placeholder.
    expect(renderToStaticMarkup(<Route chunk={chunk} id="a" />)).toBe('<p>room a</p>')
    await chunk.load()
    expect(loads).toBe(1)
  })

  it('asks again after a failed load', async () => {
    let attempt = 0
    const chunk = pageChunk(async () => {
      attempt += 1
      if (attempt === 1) throw new Error('offline')
      return roomModule
    })
    await expect(chunk.load()).rejects.toThrow('offline')
    expect(chunk.loaded()).toBeNull()
    await expect(chunk.load()).resolves.toBe(roomModule)
    expect(renderToStaticMarkup(<Route chunk={chunk} id="b" />)).toBe('<p>room b</p>')
  })
})
