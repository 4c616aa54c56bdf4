import { readFile, writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';

/** Bits to shift a colour mask's lowest set bit down to bit 0. */
const shiftOf = (mask: number) => 31 - Math.clz32(mask & -mask);

/**
 * Saves the XWD image in `xwdFile` (an Xvfb framebuffer, `-fbdir`) as a PNG at `pngFile`: a
 * screenshot of everything on that display, for browsers driven without automation. Reads the
 * 32-bit true-colour layout Xvfb writes at depth 24 (header in big-endian order, pixels in the
 * header's byte order, colours by the header's masks) and refuses anything else.
 */
export async function saveXwdAsPng(xwdFile: string, pngFile: string): Promise<void> {
  const data = await readFile(xwdFile);
  const field = (index: number) => data.readUInt32BE(index * 4);
  const [headerSize, version, format, width, height, byteOrder, bitsPerPixel, bytesPerLine] = [
    field(0),
    field(1),
    field(2),
    field(4),
    field(5),
    field(7),
    field(11),
    field(12),
  ];
  const [redMask, greenMask, blueMask, colours] = [field(14), field(15), field(16), field(19)];
  if (version !== 7 || format !== 2 || bitsPerPixel !== 32)
    throw new Error(`${xwdFile}: not a 32-bit ZPixmap XWD image (version ${version}, ${bitsPerPixel} bits)`);
  const start = headerSize + colours * 12;
  if (data.length < start + bytesPerLine * height) throw new Error(`${xwdFile}: truncated image`);
  const png = new PNG({ width, height });
  const channels = [redMask, greenMask, blueMask].map((mask) => ({ mask, shift: shiftOf(mask) }));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = start + y * bytesPerLine + x * 4;
      const pixel = byteOrder === 0 ? data.readUInt32LE(at) : data.readUInt32BE(at);
      const out = (y * width + x) * 4;
      channels.forEach(({ mask, shift }, i) => {
        png.data[out + i] = (pixel & mask) >>> shift;
      });
      png.data[out + 3] = 255;
    }
  }
  await writeFile(pngFile, PNG.sync.write(png));
}
