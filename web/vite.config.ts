import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The console is served by vpcpeer at /console/; `npm run dev:console` proxies the API to a running server. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    host: '127.0.0.1',
    proxy: { '/_vpcpeer': process.env.VPCPEER_ENDPOINT ?? 'http://127.0.0.1:4566' },
  },
})
