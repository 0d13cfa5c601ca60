// What a session stores beside its rows: the rules, and for CSV how to read a row's columns.
import type { ImportKind } from '../db/schema.ts';
import type { ImportRules } from './import-rules.ts';
import type { ChunkRow } from './plan-chunk.ts';
import { readBulkRow } from './sources/bulk-rows.ts';
import { type CsvLayout, readCsvRow } from './sources/csv-rows.ts';

export interface StoredImportOptions {
  rules: ImportRules;
  /** CSV sessions: the header and which column feeds which field. */
  csv?: CsvLayout;
}

/** How a session's stored rows are read, by its kind. */
export function rowReader(
  kind: ImportKind,
  options: StoredImportOptions,
): (raw: unknown, index: number) => ChunkRow {
  const phone = options.rules.phone;
  if (kind === 'contacts') return (raw, index) => readBulkRow(raw, index, phone);
  const layout = options.csv;
  if (!layout) throw new Error('a CSV import was stored without its layout');
  return (raw, index) => readCsvRow(raw as string[], index, layout, phone);
}

/** Reads a chunk's stored rows, numbered from `firstIndex` (what a reader thread runs). */
export function readRows(
  kind: ImportKind,
  options: StoredImportOptions,
  rows: unknown[],
  firstIndex: number,
): ChunkRow[] {
  const read = rowReader(kind, options);
  return rows.map((raw, i) => read(raw, firstIndex + i));
}
