// The console's list tables: a scrolling table with its caption, header row and empty state, and
// the link to the next page of a cursor-paged list.
import type { ComponentChildren, VNode } from 'preact';

interface DataTableProps<T> {
  /** Names the table; read by screen readers only unless `showCaption`. Absent: no caption. */
  caption?: ComponentChildren;
  showCaption?: boolean;
  columns: string[];
  items: T[];
  /** The one row shown when there are no items; absent: an empty body. */
  empty?: string;
  /** One `<tr>` (with its key) per item. */
  row: (item: T) => VNode;
  /** Set on a table that refreshes itself: announce the rows it gains (or, false, stay quiet). */
  live?: boolean;
}

export function DataTable<T>({
  caption,
  showCaption = false,
  columns,
  items,
  empty,
  row,
  live,
}: DataTableProps<T>) {
  return (
    <div class="table-wrap">
      <table
        aria-live={live === undefined ? undefined : live ? 'polite' : 'off'}
        aria-relevant={live === undefined ? undefined : 'additions'}
      >
        {caption !== undefined && (
          <caption class={showCaption ? undefined : 'visually-hidden'}>{caption}</caption>
        )}
        <thead>
          <tr>
            {columns.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {empty !== undefined && items.length === 0 && (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          )}
          {items.map(row)}
        </tbody>
      </table>
    </div>
  );
}

/** "Next page" when the API answered a `nextCursor`; `pageHref` makes the link for that cursor. */
export function NextPageLink({
  cursor,
  pageHref,
}: {
  cursor: string | null;
  pageHref: (cursor: string) => string;
}) {
  if (!cursor) return null;
  return (
    <p>
      <a href={pageHref(cursor)}>Next page</a>
    </p>
  );
}
