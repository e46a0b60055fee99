/**
 * Plain-text tables for terminals and logs: columns padded to their widest cell, no colour, no box
 * drawing, so that the output survives copy-paste into a ticket.
 *
 * @module
 */

const GAP = '  ';
/** A wrapped column is never made narrower than this: narrower, a fix reads one word per line. */
const MIN_WRAPPED_WIDTH = 12;

/**
 * Renders `rows` under `headers`, two spaces between columns; the last column is not padded.
 *
 * Without `maxWidth` every row is one line, however long (for pipes and logs, where a line is what
 * grep and a ticket want). With it (a terminal's width), the columns after the first are narrowed
 * and their cells wrapped at spaces, so that a line never runs past the edge and no word is lost:
 * a fix cut off at the edge would hide the one thing the table is for.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  maxWidth?: number,
): string {
  const all = [headers, ...rows];
  const natural = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const widths = maxWidth === undefined ? natural : fitWidths(natural, maxWidth);
  const line = (row: readonly string[]) => {
    const cells = widths.map((width, column) => wrap(row[column] ?? '', width));
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, i) =>
      cells
        .map((cell, column) =>
          column === cells.length - 1 ? (cell[i] ?? '') : (cell[i] ?? '').padEnd(widths[column]!),
        )
        .join(GAP)
        .trimEnd(),
    ).join('\n');
  };
  const rule = widths.map((width) => '-'.repeat(width)).join(GAP);
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/**
 * Column widths within `maxWidth`: the first column keeps its width (the check's name); the others
 * share what is left, a column that needs less than an equal share keeping its own width and
 * leaving the rest to the wider ones.
 */
function fitWidths(natural: readonly number[], maxWidth: number): number[] {
  const total = natural.reduce((sum, w) => sum + w, 0) + GAP.length * (natural.length - 1);
  if (total <= maxWidth || natural.length < 2) return [...natural];
  const [first, ...rest] = natural as [number, ...number[]];
  let room = maxWidth - first - GAP.length * (natural.length - 1);
  const widths = new Array<number>(rest.length);
  // Narrowest first, each taking at most an equal share of what the others have not taken.
  const order = rest.map((width, index) => ({ width, index })).sort((a, b) => a.width - b.width);
  order.forEach(({ width, index }, done) => {
    const share = Math.floor(room / (order.length - done));
    widths[index] = Math.max(MIN_WRAPPED_WIDTH, Math.min(width, share));
    room -= widths[index];
  });
  return [first, ...widths];
}

/** `text` in lines of at most `width`, broken at spaces; a word longer than `width` is split. */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let current = '';
  for (let word of text.split(' ')) {
    while (word.length > width) {
      if (current) lines.push(current);
      current = '';
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!current) current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  return lines;
}
