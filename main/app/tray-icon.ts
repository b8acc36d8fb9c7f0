/**
 * The tray icon, drawn in code (no image files to ship or load): a small padlock, shackle closed
 * when locked and open when unlocked, as a BGRA bitmap for `nativeImage.createFromBitmap`.
 * Pure: no electron import.
 */
export const TRAY_ICON_SIZE = 16;

// 16×16: '#' is ink, '.' is transparent. The body is the same; the shackle differs.
const BODY = [
  '................',
  '................',
  '................',
  '................',
  '................',
  '................',
  '................',
  '..############..',
  '..############..',
  '..#####..#####..',
  '..#####..#####..',
  '..######.#####..',
  '..############..',
  '..############..',
  '................',
  '................',
];
const CLOSED = [
  '................',
  '.....######.....',
  '....##....##....',
  '....#......#....',
  '....#......#....',
  '....#......#....',
  '....#......#....',
];
const OPEN = [
  '.........######.',
  '........##....##',
  '........#......#',
  '........#......#',
  '....#..........#',
  '....#...........',
  '....#...........',
];

/** The padlock as rows of '#' and '.'. */
export function trayIconRows(locked: boolean): string[] {
  const top = locked ? CLOSED : OPEN;
  return BODY.map((row, y) => (y < top.length ? top[y]! : row));
}

/** BGRA pixels; `dark` draws light ink for a dark panel. */
export function trayIconBitmap(locked: boolean, dark: boolean): Buffer {
  const rows = trayIconRows(locked);
  const ink = dark ? [0xf0, 0xf0, 0xf0] : [0x20, 0x20, 0x20];
  const out = Buffer.alloc(TRAY_ICON_SIZE * TRAY_ICON_SIZE * 4);
  rows.forEach((row, y) => {
    for (let x = 0; x < TRAY_ICON_SIZE; x++) {
      if (row[x] !== '#') continue;
      const i = (y * TRAY_ICON_SIZE + x) * 4;
      out[i] = ink[0]!;
      out[i + 1] = ink[1]!;
      out[i + 2] = ink[2]!;
      out[i + 3] = 0xff;
    }
  });
  return out;
}
