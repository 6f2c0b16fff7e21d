#!/usr/bin/env node
// Renders build/icon.svg into every icon electron-builder packages: build/icon.png (1024×1024),
// build/icons/NxN.png (Linux), build/icon.ico (Windows) and build/icon.icns (macOS). Each size is drawn from
// the vector by Chromium (playwright-core and Debian's chromium, both already needed by the tests), so small
// sizes are rendered, not downscaled; ICO and ICNS simply hold those PNGs. Run it after changing the SVG:
//   node build/icons.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BUILD = import.meta.dirname;
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// ICNS element types holding PNG data, by pixel size (the @2x types repeat a size under another name).
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

async function render(svg) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const pngs = new Map();
    for (const size of SIZES) {
      await page.setViewportSize({ width: size, height: size });
      const sized = svg.replace(/width="1024" height="1024"/, `width="${size}" height="${size}"`);
      await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
      pngs.set(size, await page.locator('svg').screenshot({ omitBackground: true }));
    }
    return pngs;
  } finally {
    await browser.close();
  }
}

/** ICO: a header, one 16-byte directory entry per image, then the PNGs (Windows Vista and later read PNG). */
function ico(pngs) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(ICO_SIZES.length, 4);
  let offset = 6 + 16 * ICO_SIZES.length;
  const entries = ICO_SIZES.map((size) => {
    const data = pngs.get(size);
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(data.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += data.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...ICO_SIZES.map((size) => pngs.get(size))]);
}

/** ICNS: "icns" and the total length, then elements of a type, their length (header included) and a PNG. */
function icns(pngs) {
  const elements = ICNS_TYPES.map(([type, size]) => {
    const data = pngs.get(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(elements);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

const pngs = await render(readFileSync(path.join(BUILD, 'icon.svg'), 'utf8'));
mkdirSync(path.join(BUILD, 'icons'), { recursive: true });
for (const [size, data] of pngs) writeFileSync(path.join(BUILD, 'icons', `${size}x${size}.png`), data);
writeFileSync(path.join(BUILD, 'icon.png'), pngs.get(1024));
writeFileSync(path.join(BUILD, 'icon.ico'), ico(pngs));
writeFileSync(path.join(BUILD, 'icon.icns'), icns(pngs));
process.stdout.write(
  `wrote build/icon.png, build/icons/*.png (${SIZES.join(', ')}), build/icon.ico, build/icon.icns\n`,
);
