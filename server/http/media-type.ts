// Parses a Content-Type header (RFC 9110 §8.3): the type/subtype is case-insensitive, then parameters.

export interface MediaType {
  /** `type/subtype`, lower-cased. */
  essence: string;
  /** Parameter names lower-cased; values as sent, unquoted. */
  params: Record<string, string>;
}

const token = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const essencePattern = new RegExp(`^(${token})/(${token})$`);
const paramPattern = new RegExp(`^(${token})=(${token}|"(?:[^"\\\\]|\\\\.)*")$`);

/**
 * The header's media type, or undefined when it is absent or not a media type at all.
 * @example parseMediaType('Application/JSON; charset=UTF-8') // { essence: 'application/json', params: { charset: 'UTF-8' } }
 */
export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (!header) return undefined;
  const [head = '', ...rest] = header.split(';');
  const match = essencePattern.exec(head.trim());
  if (!match) return undefined;
  const params: Record<string, string> = Object.create(null);
  for (const part of rest) {
    const param = paramPattern.exec(part.trim());
    if (!param?.[1] || param[2] === undefined) continue;
    const value = param[2].startsWith('"')
      ? param[2].slice(1, -1).replace(/\\(.)/g, '$1')
      : param[2];
    params[param[1].toLowerCase()] = value;
  }
  return { essence: head.trim().toLowerCase(), params };
}

/** `application/json` or a `+json` structured syntax suffix (`application/merge-patch+json`). */
export function isJsonType(type: MediaType | undefined): boolean {
  return type !== undefined && /^application\/(?:[\w.-]+\+)?json$/.test(type.essence);
}

/** The two types an HTML form posts. */
export function isFormType(type: MediaType | undefined): boolean {
  return (
    type?.essence === 'application/x-www-form-urlencoded' || type?.essence === 'multipart/form-data'
  );
}
