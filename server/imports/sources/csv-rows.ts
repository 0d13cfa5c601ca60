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

const namesByLayout = new WeakMap<CsvLayout, Record<string, string>>();

/** Each mapped field's column name, worked out once per layout. */
function columnNames(layout: CsvLayout): Record<string, string> {
  let names = namesByLayout.get(layout);
  if (!names) {
    names = Object.fromEntries(
      Object.entries(layout.mapping).map(([target, i]) => [target, layout.columns[i] ?? target]),
    );
    namesByLayout.set(layout, names);
  }
  return names;
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
  const names = columnNames(layout);
  const nameOf = (field: string) => names[field] ?? field;
  const raw = rowByColumn(layout.columns, cells);
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
  const address: Record<string, string> = {};
  const fields: Record<string, string> = {};
  for (const [target, column] of Object.entries(layout.mapping)) {
    const value = cells[column]?.trim();
    if (!value) continue;
    if (target.startsWith('address.')) address[target.slice(8)] = value;
    else if (target.startsWith('fields.')) fields[target.slice(7)] = value;
    else contact[target] = value;
  }
  if (Object.keys(address).length > 0) contact.address = address;
  if (Object.keys(fields).length > 0) contact.fields = fields;
  const read = readContactRow(contact, phone);
  if (read.ok) return { index, raw, read: { ok: true, contact: read.contact }, names };
  const reason = read.issues.map((i) => `${nameOf(i.field)}: ${i.message}`).join('; ');
  return { index, raw, read: { ok: false, reason }, names };
}
