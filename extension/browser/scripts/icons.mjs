// The toolbar icon drawn in code (a white camera on a blue disc): no binary files to keep in git.
import { deflateSync } from 'node:zlib';

const CRC = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function inside(x, y) {
  // Unit square coordinates. Disc, then the camera body and lens cut out in white.
  const dx = x - 0.5, dy = y - 0.5;
  if (dx * dx + dy * dy > 0.25) return 0;
  const body = x > 0.2 && x < 0.6 && y > 0.33 && y < 0.67;
  const lens = x >= 0.6 && x < 0.8 && Math.abs(y - 0.5) < (x - 0.6) * 0.9 + 0.05;
  return body || lens ? 2 : 1;
}

export function iconPng(size) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const S = 4;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let blue = 0, white = 0;
      for (let sy = 0; sy < S; sy++) for (let sx = 0; sx < S; sx++) {
        const v = inside((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
        if (v === 1) blue++;
        else if (v === 2) white++;
      }
      const n = S * S, a = (blue + white) / n;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const w = a ? white / (blue + white) : 0;
      raw[o] = Math.round(0 * (1 - w) + 255 * w);
      raw[o + 1] = Math.round(0 * (1 - w) + 255 * w);
      raw[o + 2] = Math.round(145 * (1 - w) + 255 * w);
      raw[o + 3] = Math.round(a * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
