// `npm run icons`: the app's icon as PNG files, drawn from assets/icon.svg (their one source) with
// sharp, a dependency already. electron-builder takes assets/icon.png (512 px) for each platform's
// package, which otherwise shows Electron's icon; the browser tab takes assets/favicon.png, since
// for an SVG favicon Chromium builds a whole SVG document on the page's main thread (15-20 ms of a
// start, which landed in the middle of the Songs list's first render).
// `--check` writes nothing and fails if a PNG no longer matches the SVG (tests/unit/appIcon.test.ts).
// An optional folder argument stands for assets/.
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** The PNG files and their size in pixels. */
const ICON_FILES = { 'icon.png': 512, 'favicon.png': 64 };
/** Pixel difference allowed in --check: another version of sharp may round the edges differently. */
const TOLERANCE = 16;

const args = process.argv.slice(2);
const check = args.includes('--check');
const assets = resolve(args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('../assets/', import.meta.url)));
const svg = `${assets}/icon.svg`;

// The SVG's viewBox is 64 units: the density draws it at the size asked, not scaled up from 64 px.
const render = (size) => sharp(svg, { density: (72 * size) / 64 }).resize(size, size);

async function matches(file, size) {
  const want = await render(size).ensureAlpha().raw().toBuffer();
  let have;
  try {
    have = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch {
    return false;
  }
  if (have.info.width !== size || have.info.height !== size || have.data.length !== want.length) return false;
  return want.every((v, i) => Math.abs(v - have.data[i]) <= TOLERANCE);
}

let stale = 0;
for (const [name, size] of Object.entries(ICON_FILES)) {
  const file = `${assets}/${name}`;
  if (check) {
    if (!(await matches(file, size))) {
      console.error(`${name} does not match icon.svg: run npm run icons`);
      stale++;
    }
    continue;
  }
  const png = await render(size).png({ compressionLevel: 9 }).toBuffer();
  // Written beside and renamed: an interrupted run leaves the old icon whole.
  writeFileSync(`${file}.tmp`, png);
  renameSync(`${file}.tmp`, file);
  console.log(`${name}: ${size}x${size}, ${png.length} bytes`);
}
process.exit(stale > 0 ? 1 : 0);
