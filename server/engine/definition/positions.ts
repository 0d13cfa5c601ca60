// Finds where a value sits in a parsed YAML document, so errors can say file:line:column.
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

export interface Located {
  position: Position;
  /** False when the path runs past what the file has: `position` is then the deepest node found. */
  found: boolean;
}

interface Ranged {
  range?: [number, number, number] | null;
}

const keyText = (key: unknown) => (isScalar(key) ? String(key.value) : String(key));

/** Locates positions by zod-style paths (`['steps', 2, 'then', 0, 'wait']`) in one document. */
export class SourcePositions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of a byte offset in the source. */
  at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * Where the value at `path` is written, or with `key: true` the key naming it. For a path that
   * is not there (a missing key), the deepest existing node: the map that should hold it.
   */
  locate(path: readonly PropertyKey[], { key = false } = {}): Located {
    let node: unknown = this.doc.contents;
    let position = this.start(node) ?? { line: 1, column: 1 };
    for (const [i, segment] of path.entries()) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(segment));
        if (!pair) return { position, found: false };
        const keyPosition = this.start(pair.key) ?? position;
        if (key && i === path.length - 1) return { position: keyPosition, found: true };
        node = pair.value;
        // `send_confirmation:` with nothing after it: the empty value sits on the next line.
        const empty = !node || (isScalar(node) && node.value === null && node.source === '');
        position = empty ? keyPosition : (this.start(node) ?? keyPosition);
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        node = node.items[segment];
        position = this.start(node) ?? position;
      } else {
        return { position, found: false };
      }
    }
    return { position, found: true };
  }

  private start(node: unknown): Position | undefined {
    const range = (node as Ranged | null)?.range;
    return range ? this.at(range[0]) : undefined;
  }
}
