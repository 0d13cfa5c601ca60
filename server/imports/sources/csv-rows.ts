// CSV rows as contacts: parsed by csv-parse as a stream, each row read through the mapping.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { PhoneOptions } from '../../contacts/phone.ts';
import { ValidationError } from '../../errors.ts';
import type { ChunkRow } from '../plan-chunk.ts';
import { readContactRow } from './contact-row.ts';
import type { CsvMapping } from './csv-mapping.ts';

/** The delimiter the header line uses most: `;` (spreadsheets in many locales) or `,`. */
function delimiterOf(headerLine: string): ',' | ';' {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  const count = (d: string) => unquoted.split(d).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

/** Bytes up to the first line break, and the rest of the input after them. */
async function splitHead(input: AsyncIterable<Uint8Array | string>) {
  const iterator = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk =
      typeof next.value === 'string' ? Buffer.from(next.value) : Buffer.from(next.value);
    head.push(chunk);
    if (chunk.includes(0x0a)) break;
  }
  const first = Buffer.concat(head);
  async function* all() {
    yield first;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { headerLine: first.toString('utf8').split(/\r?\n/)[0] ?? '', all };
}

/**
 * The records of a CSV text or stream, header first, one at a time: the input is never held whole.
 * UTF-8 with or without a BOM, `,` or `;` (detected from the header line), quoted fields, CRLF;
 * whitespace around values is trimmed and empty lines are skipped. A malformed file (an unclosed
 * quote) is a ValidationError naming the line.
 * @example for await (const record of csvRecords(createReadStream('list.csv'))) …
 */
export async function* csvRecords(
  input: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<string[]> {
  const { headerLine, all } = await splitHead(input);
  const parser = parse({
    bom: true,
    delimiter: delimiterOf(headerLine),
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
  });
  const source = Readable.from(all());
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const record of parser) yield record as string[];
  } catch (err) {
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('CSV_'))
      throw new ValidationError([{ field: 'csv', message: err.message }]);
    throw err;
  } finally {
    source.destroy();
  }
}

/** What reading a CSV import's rows needs, stored with the session. */
export interface CsvLayout {
  columns: string[];
  mapping: CsvMapping;
}

/** How a layout's rows are read, worked out once: the cells each field takes, and their names. */
interface LayoutPlan {
  names: Record<string, string>;
  cells: { column: number; part: 'contact' | 'address' | 'fields'; key: string }[];
}

const plans = new WeakMap<CsvLayout, LayoutPlan>();

function planOf(layout: CsvLayout): LayoutPlan {
  let plan = plans.get(layout);
  if (!plan) {
    const entries = Object.entries(layout.mapping);
    plan = {
      names: Object.fromEntries(
        entries.map(([target, i]) => [target, layout.columns[i] ?? target]),
      ),
      cells: entries.map(([target, column]) =>
        target.startsWith('address.')
          ? { column, part: 'address', key: target.slice(8) }
          : target.startsWith('fields.')
            ? { column, part: 'fields', key: target.slice(7) }
            : { column, part: 'contact', key: target },
      ),
    };
    plans.set(layout, plan);
  }
  return plan;
}

/** A CSV row as its columns name it, for `failedContacts`. */
const rowByColumn = (columns: string[], cells: string[]) =>
  Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));

/**
 * One CSV row read into a contact through the mapping; empty cells are "not given". Errors name
 * the column (`Mobile: is not a possible phone number`).
 */
export function readCsvRow(
  cells: string[],
  index: number,
  layout: CsvLayout,
  phone: PhoneOptions,
): ChunkRow {
  const { names, cells: mapped } = planOf(layout);
  // Built only for a failure: most rows never need it (bound, not a closure: see readContact).
  const raw = rowByColumn.bind(null, layout.columns, cells);
  if (cells.length !== layout.columns.length)
    return {
      index,
      raw,
      read: {
        ok: false,
        reason: `the row has ${cells.length} columns, the header ${layout.columns.length}`,
      },
      names,
    };
  const contact: Record<string, unknown> = {};
  let address: Record<string, string> | undefined;
  let fields: Record<string, string> | undefined;
  for (const { column, part, key } of mapped) {
    const value = cells[column]?.trim();
    if (!value) continue;
    if (part === 'contact') contact[key] = value;
    else if (part === 'address') {
      address ??= {};
      address[key] = value;
    } else {
      fields ??= {};
      fields[key] = value;
    }
  }
  if (address) contact.address = address;
  if (fields) contact.fields = fields;
  const read = readContactRow(contact, phone);
  if (read.ok) return { index, raw, read: { ok: true, contact: read.contact }, names };
  const reason = read.issues.map((i) => `${names[i.field] ?? i.field}: ${i.message}`).join('; ');
  return { index, raw, read: { ok: false, reason }, names };
}
