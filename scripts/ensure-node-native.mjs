// better-sqlite3 is compiled for one runtime at a time: `npm start` rebuilds it for Electron,
// which Node (tests, browser mode) cannot load. Rebuild it for Node when that has happened.
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  const Database = require('better-sqlite3');
  new Database(':memory:').close();
} catch (error) {
  if (!/NODE_MODULE_VERSION|was compiled against a different Node\.js version|invalid ELF header/.test(String(error))) throw error;
  console.log('better-sqlite3 was built for Electron; rebuilding it for Node (about 2 minutes)…');
  execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
}
