// Renders renderer/public/icon.svg to the PNGs electron-builder and the window need, in Debian's
// Chromium (no image tool required). Run after changing the SVG; the PNGs are committed.
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './electron-binary.mjs';

const svg = readFileSync(join(projectRoot, 'renderer/public/icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.WIRELAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
for (const [size, out] of [
  [1024, 'build/icon.png'],
  [512, 'renderer/public/icon.png'],
]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  await page.screenshot({ path: join(projectRoot, out), omitBackground: true });
  await page.close();
  console.log(`wrote ${out} (${size}×${size})`);
}
await browser.close();
