import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { routePreload } from './plugins/routePreload.ts'

const API_TARGET = 'http://127.0.0.1:3000'

/** Dev server proxies the API and the collaboration socket to the Rapport server; `vite build` writes apps/web/dist. */
export default defineConfig({
  plugins: [
    react(),
    // The chunks index.html preloads when a first visit opens an account room (the route name is its early script's).
    routePreload({ account: ['src/features/account/AccountPage.tsx'] }),
  ],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: true },
      '/collab': { target: API_TARGET, ws: true, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
})
