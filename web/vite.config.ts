// A multi-page build: chat.html, agent.html and admin.html with hashed files
// under assets/, and public/widget.js copied unhashed. candor serves dist/.
// `npm run dev` proxies the API to a running candor (CANDOR_URL).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const candor = (globalThis as any).process?.env?.CANDOR_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    rollupOptions: {
      input: {
        chat: here('chat.html'),
        agent: here('agent.html'),
        admin: here('admin.html'),
      },
    },
  },
  server: { proxy: { '/api': { target: candor, changeOrigin: false } } },
  preview: { proxy: { '/api': { target: candor, changeOrigin: false } } },
});
