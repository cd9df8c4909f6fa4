import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    // Inline nothing: the CSP allows only 'self' scripts and styles.
    assetsInlineLimit: 0,
    target: 'chrome120',
  },
});
