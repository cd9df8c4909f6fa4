// `npm run docs:screenshots`: the browser tests that take the README's screenshots, writing them into
// docs/ (the tests alone write them to tests/.tmp/screenshots, so `npm test` leaves the tree as it is).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tests = ['tests/e2e/faceBox.test.ts', 'tests/e2e/handsFree.test.ts', 'tests/e2e/library.test.ts'];
const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'e2e', ...tests], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, EMOTUNE_SCREENSHOTS_DIR: `${root}docs` },
});
process.exit(run.status ?? 1);
