import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { virtuaSizes } from './build/virtuaSizes.js';

export default defineConfig({
  root: 'src/renderer',
  base: './',
  // The Svelte config sits at the repository root, beside svelte-check's.
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) }), virtuaSizes()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    // Inline nothing: the CSP allows only 'self' scripts and styles.
    assetsInlineLimit: 0,
    target: 'chrome120',
  },
});
