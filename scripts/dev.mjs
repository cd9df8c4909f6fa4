// `npm run dev`: browser mode that rebuilds itself. The backend (tsc --watch) and the renderer
// (vite build --watch) are rebuilt on every save; the server restarts when the backend's output
// changes, and a reload of the page shows a new renderer. Arguments go to the server (--port, --data-dir).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}${process.platform === 'win32' ? '.cmd' : ''}`;
const children = [
  spawn(bin('tsc'), ['-p', 'tsconfig.main.json', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' }),
  spawn(bin('vite'), ['build', '--watch'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, ['--watch-path=dist/main', 'dist/main/web/webMain.js', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  }),
];
const stop = () => {
  for (const child of children) child.kill();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', (code) => code && code !== 0 && console.error(`a dev process stopped (exit ${code})`));
