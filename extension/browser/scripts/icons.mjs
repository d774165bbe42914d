// The toolbar icon drawn in code (a white camera on a blue disc): no binary files to keep in git.
import { encodePng } from '../../../scripts/lib/png.mjs';

function inside(x, y) {
  // Unit square coordinates. Disc, then the camera body and lens cut out in white.
  const dx = x - 0.5,
    dy = y - 0.5;
  if (dx * dx + dy * dy > 0.25) return 0;
  const body = x > 0.2 && x < 0.6 && y > 0.33 && y < 0.67;
  const lens = x >= 0.6 && x < 0.8 && Math.abs(y - 0.5) < (x - 0.6) * 0.9 + 0.05;
  return body || lens ? 2 : 1;
}

export function iconPng(size) {
  const S = 4;
  return encodePng(size, (x, y) => {
    // S × S samples per pixel: the disc's edge is smoothed by its coverage.
    let blue = 0,
      white = 0;
    for (let sy = 0; sy < S; sy++)
      for (let sx = 0; sx < S; sx++) {
        const v = inside((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
        if (v === 1) blue++;
        else if (v === 2) white++;
      }
    const a = (blue + white) / (S * S);
    const w = a ? white / (blue + white) : 0;
    return [Math.round(255 * w), Math.round(255 * w), Math.round(145 * (1 - w) + 255 * w), Math.round(a * 255)];
  });
}
