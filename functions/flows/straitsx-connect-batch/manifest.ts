/**
 * Reading a merchant's batch manifest: one Connect user a row, as CSV (a header row of field names) or
 * JSON Lines (one `POST /migrations/connect` body a line). Rows come back as plain objects, checked
 * later by the single migration's own rules; a row that cannot even be read is refused here.
 */

/** One row as read, with its 1-based number in the file (the CSV header is row 0). */
export interface ManifestRow {
  row: number;
  body: unknown;
}

/** A row refused, with the field and the rule it broke; never the value. */
export interface RefusedRow {
  row: number;
  field: string;
  rule: string;
}

export type ManifestFormat = 'csv' | 'jsonl';

/** Legacy Connect names a merchant's export may use, mapped to the migration request's fields. */
const ALIASES: Readonly<Record<string, string>> = {
  merchant_ref: 'merchantRef',
  user_api_token: 'userApiToken',
};

/** At most this many rows a batch: a manifest past it is refused as a whole (split it). */
export const MAX_BATCH_ROWS = 10_000;

/** Guesses the format from the first character that is not whitespace: `{` starts JSON Lines. */
function detectFormat(text: string): ManifestFormat {
  return text.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

/** Splits a manifest into rows; unreadable rows are refused with the reason. */
export function readManifest(
  text: string,
  format: ManifestFormat = detectFormat(text),
): { rows: ManifestRow[]; refused: RefusedRow[] } {
  return format === 'jsonl' ? readJsonLines(text) : readCsv(text);
}

function readJsonLines(text: string): { rows: ManifestRow[]; refused: RefusedRow[] } {
  const rows: ManifestRow[] = [];
  const refused: RefusedRow[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const row = index + 1;
    try {
      rows.push({ row, body: withAliases(JSON.parse(line)) });
    } catch {
      refused.push({ row, field: '', rule: 'the line must be one JSON object' });
    }
  });
  return { rows, refused };
}

function readCsv(text: string): { rows: ManifestRow[]; refused: RefusedRow[] } {
  const records = parseCsv(text);
  const header = records.shift()?.map((name) => ALIASES[name.trim()] ?? name.trim()) ?? [];
  const rows: ManifestRow[] = [];
  const refused: RefusedRow[] = [];
  records.forEach((cells, index) => {
    const row = index + 1;
    if (cells.length === 1 && cells[0]?.trim() === '') return;
    if (cells.length !== header.length) {
      refused.push({ row, field: '', rule: `the row must have ${header.length} cells, as the header` });
      return;
    }
    const body: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const value = cells[i] ?? '';
      // An empty cell is an absent field: optional profile fields may be left blank.
      if (value !== '') setPath(body, name.split('.'), value);
    });
    rows.push({ row, body });
  });
  return { rows, refused };
}

/** RFC 4180 CSV: quoted cells may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      records.push(cells);
      cells = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push(cells);
  }
  return records;
}

function setPath(target: Record<string, unknown>, path: string[], value: string): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

function withAliases(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [ALIASES[key] ?? key, value]));
}
