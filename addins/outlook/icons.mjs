// The add-in's icons, drawn here rather than shipped as binaries: a white camera on Marianne blue, and a
// white outline for the unified manifest. Plain PNG through scripts/lib/png.mjs, without any image library.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '../../scripts/lib/png.mjs';

// The sizes the manifests name (tsc has built them before the icons are drawn).
import { ICON_SIZES, MEETING_ICON_SIZES } from './dist/lib/manifest/source.js';

// Pixel colours sampled at the pixel's centre, in unit square coordinates.
const png = (size, pixel) => encodePng(size, (x, y) => pixel((x + 0.5) / size, (y + 0.5) / size));

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
  for (const size of ICON_SIZES)
    writeFileSync(
      join(dir, `icon-${size}.png`),
      png(size, (u, v) => (camera(u, v) ? WHITE : BLUE)),
    );
  // The mobile online-meeting surface: Microsoft asks for grayscale icons in #919191 there.
  for (const size of MEETING_ICON_SIZES)
    writeFileSync(
      join(dir, `meeting-${size}.png`),
      png(size, (u, v) => (camera(u, v) ? GREY : CLEAR)),
    );
  writeFileSync(
    join(dir, 'color-192.png'),
    png(192, (u, v) => (camera(u, v) ? WHITE : BLUE)),
  );
  writeFileSync(
    join(dir, 'outline-32.png'),
    png(32, (u, v) => (camera(u, v) ? WHITE : CLEAR)),
  );
}
