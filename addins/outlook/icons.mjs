// The add-in's icons, drawn here rather than shipped as binaries: a white camera on Marianne blue, and a
// white outline for the unified manifest. Plain PNG (RGBA, zlib) without any image library.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

// The sizes the manifests name (tsc has built them before the icons are drawn).
import { ICON_SIZES, MEETING_ICON_SIZES } from './dist/lib/manifest/source.js';

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel((x + 0.5) / size, (y + 0.5) / size), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// A camera: rounded body on the left, a lens triangle on the right (unit square coordinates).
function camera(u, v) {
  const body = u > 0.18 && u < 0.62 && v > 0.32 && v < 0.68;
  const lens = u >= 0.62 && u < 0.84 && Math.abs(v - 0.5) < 0.06 + (u - 0.62) * 0.6;
  return body || lens;
}

const BLUE = [0, 0, 145, 255];
const WHITE = [255, 255, 255, 255];
const CLEAR = [0, 0, 0, 0];
const GREY = [0x91, 0x91, 0x91, 255];

export function writeIcons(dir) {
  for (const size of ICON_SIZES) writeFileSync(join(dir, `icon-${size}.png`), png(size, (u, v) => (camera(u, v) ? WHITE : BLUE)));
  // The mobile online-meeting surface: Microsoft asks for grayscale icons in #919191 there.
  for (const size of MEETING_ICON_SIZES) writeFileSync(join(dir, `meeting-${size}.png`), png(size, (u, v) => (camera(u, v) ? GREY : CLEAR)));
  writeFileSync(join(dir, 'color-192.png'), png(192, (u, v) => (camera(u, v) ? WHITE : BLUE)));
  writeFileSync(join(dir, 'outline-32.png'), png(32, (u, v) => (camera(u, v) ? WHITE : CLEAR)));
}
