import { describe, expect, it } from 'vitest'
import { type ChunkInfo, routeChunkUrls } from './routePreload.ts'

const chunk = (fileName: string, imports: string[], extra: Partial<ChunkInfo> = {}): ChunkInfo => ({
  fileName,
  imports,
  isEntry: false,
  facadeModuleId: null,
  ...extra,
})
const css = (...files: string[]) => ({ viteMetadata: { importedCss: new Set(files) } })

describe('routeChunkUrls', () => {
  const chunks = [
    chunk('assets/index.js', ['assets/runtime.js'], { isEntry: true, ...css('assets/index.css') }),
    chunk('assets/runtime.js', []),
    chunk('assets/Room.js', ['assets/runtime.js', 'assets/index.js', 'assets/shared.js'], {
      facadeModuleId: '/app/src/Room.tsx',
      ...css('assets/Room.css', 'assets/index.css'),
    }),
    chunk('assets/shared.js', ['assets/index.js', 'assets/deep.js'], css('assets/shared.css')),
    chunk('assets/deep.js', []),
    chunk('assets/Board.js', ['assets/shared.js'], { facadeModuleId: '/app/src/Board.tsx' }),
    chunk('assets/Charts.js', [], { facadeModuleId: '/app/src/Charts.tsx' }),
  ]

  it("lists a page's chunk, every chunk it imports (transitively) and their CSS, without the main bundle's", () => {
    const map = routeChunkUrls(chunks, { room: ['src/Room.tsx'] }, '/app', '/')
    expect(map.room).toEqual([
      '/assets/Room.js',
      '/assets/Room.css',
      '/assets/shared.js',
      '/assets/shared.css',
      '/assets/deep.js',
    ])
  })

  it('joins the pages of one route once each, under the base path', () => {
    const map = routeChunkUrls(chunks, { both: ['src/Board.tsx', 'src/Charts.tsx'] }, '/app', '/crm/')
    expect(map.both).toEqual([
      '/crm/assets/Board.js',
      '/crm/assets/shared.js',
      '/crm/assets/shared.css',
      '/crm/assets/deep.js',
      '/crm/assets/Charts.js',
    ])
  })

  it('fails the build when a page is not a chunk of its own (imported statically somewhere)', () => {
    expect(() => routeChunkUrls(chunks, { x: ['src/Missing.tsx'] }, '/app', '/')).toThrow(/src\/Missing\.tsx/)
  })
})
