/**
 * IndexedDB's key order (`indexedDB.cmp`) for the key types a lookup store uses: numbers < dates <
 * strings < binary < arrays, arrays element by element. Kept here so a query does not depend on a
 * global factory (the handle may use another one). Strings compare by UTF-16 code units, as in
 * IndexedDB.
 */
export function compareKeys(a: unknown, b: unknown): number {
  const ta = keyType(a);
  const tb = keyType(b);
  if (ta !== tb) return ta - tb;
  if (ta === 0 || ta === 1) {
    const x = ta === 0 ? (a as number) : (a as Date).getTime();
    const y = ta === 0 ? (b as number) : (b as Date).getTime();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ta === 2) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (ta === 3) {
    const x = bytes(a);
    const y = bytes(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return Math.sign(x.length - y.length);
  }
  const x = a as readonly unknown[];
  const y = b as readonly unknown[];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = compareKeys(x[i], y[i]);
    if (d !== 0) return d;
  }
  return Math.sign(x.length - y.length);
}

function keyType(key: unknown): number {
  if (typeof key === 'number') return 0;
  if (key instanceof Date) return 1;
  if (typeof key === 'string') return 2;
  if (ArrayBuffer.isView(key) || key instanceof ArrayBuffer) return 3;
  if (Array.isArray(key)) return 4;
  throw new TypeError('Not a valid IndexedDB key');
}

function bytes(key: unknown): Uint8Array {
  if (key instanceof ArrayBuffer) return new Uint8Array(key);
  const view = key as ArrayBufferView;
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
