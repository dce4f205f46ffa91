// The base styles first: every feature's stylesheet (imported with its components) comes after and refines them.
import './styles.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App.tsx'
import { preloadRoute } from './app/pages.ts'
import { parseRoute } from './app/route.ts'

// The first page's chunk loads while the session check answers (index.html has already started fetching it).
preloadRoute(parseRoute(window.location.hash))

const root = document.getElementById('root')
if (!root) throw new Error('missing #root')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
