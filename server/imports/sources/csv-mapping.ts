// Which CSV column feeds which contact field: the caller's mapping, or the header's names.
import { type FieldIssue, ValidationError } from '../../errors.ts';

/** Contact fields a column can feed (besides `fields.<key>`). */
export const CSV_TARGETS = [
  'email',
  'phone',
  'externalId',
  'firstName',
  'lastName',
  'address.town',
  'address.region',
  'address.address',
  'address.postcode',
] as const;

/** Header names each target is found by when no mapping is given (compared without case, spaces, `_` and `-`). */
const HEADER_NAMES: Record<(typeof CSV_TARGETS)[number], string[]> = {
  email: ['email', 'emailaddress', 'mail'],
  phone: ['phone', 'mobile', 'mobilenumber', 'mobilephone', 'sms', 'phonenumber', 'cell', 'msisdn'],
  externalId: ['externalid', 'externalcustomerid', 'customerid'],
  firstName: ['firstname', 'fname', 'givenname'],
  lastName: ['lastname', 'lname', 'surname', 'familyname'],
  'address.town': ['town', 'city'],
  'address.region': ['region', 'state'],
  'address.address': ['address', 'street'],
  'address.postcode': ['postcode', 'zip', 'zipcode', 'postalcode'],
};

const FIELD_TARGET = /^fields\.(.{1,100})$/;

const loose = (name: string) => name.toLowerCase().replace(/[\s_\-[\]]/g, '');

/** A target the mapping may name: one of CSV_TARGETS or `fields.<key>`. */
export function isCsvTarget(target: string): boolean {
  return (CSV_TARGETS as readonly string[]).includes(target) || FIELD_TARGET.test(target);
}

/** Target → column index. */
export type CsvMapping = Record<string, number>;

/**
 * The columns each target reads. With a mapping (`{email: "Email", "fields.plan": "Plan"}`) only
 * the mapped columns are read, each found by its header name (case-insensitive); without one, known
 * header names feed the contact's own fields and every other column a custom field of its name.
 * @example resolveMapping(['Email', 'Mobile', 'Plan'], undefined) // { email: 0, phone: 1, 'fields.Plan': 2 }
 */
export function resolveMapping(
  header: string[],
  mapping: Record<string, string> | undefined,
): CsvMapping {
  const columns = header.map((h) => h.trim());
  if (mapping) {
    const issues: FieldIssue[] = [];
    const resolved: CsvMapping = {};
    for (const [target, column] of Object.entries(mapping)) {
      const index = columns.findIndex((c) => c.toLowerCase() === column.trim().toLowerCase());
      if (!isCsvTarget(target))
        issues.push({
          field: `mapping.${target}`,
          message: `is not a contact field; use one of ${CSV_TARGETS.join(', ')} or fields.<key>`,
        });
      else if (index < 0)
        issues.push({
          field: `mapping.${target}`,
          message: `no column ${JSON.stringify(column)} in the header (${columns.join(', ')})`,
        });
      else resolved[target] = index;
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return resolved;
  }
  const resolved: CsvMapping = {};
  columns.forEach((column, index) => {
    if (column === '') return;
    const target = CSV_TARGETS.find((t) => HEADER_NAMES[t].includes(loose(column)));
    const key = target && !(target in resolved) ? target : `fields.${column}`;
    if (!(key in resolved)) resolved[key] = index;
  });
  return resolved;
}
