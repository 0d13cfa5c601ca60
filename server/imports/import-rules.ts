// The rules an import applies to every row, whatever its source (bulk JSON, CSV, a file URL, the CLI).
import type { PhoneOptions } from '../contacts/phone.ts';
import type { IdentityColumn, SettableStatus } from '../contacts/store/contact-rows.ts';

export interface ImportRules {
  /**
   * Identities tried in this order to find a row's contact (the first that finds one wins); the
   * row's other identities must be free or that contact's own.
   */
  matchOn: IdentityColumn[];
  /** false: a contact that exists is left as it is (the row counts as skipped). */
  updateExisting: boolean;
  /** false: a deleted contact a row finds stays deleted and the row fails; true: it is restored. */
  restoreDeleted: boolean;
  /** Status of a created (or restored) contact. */
  newStatus: SettableStatus;
  /** Given explicitly: existing contacts are set to it too. */
  status?: SettableStatus;
  groups: string[];
  /** Existing groups by id (checked when the import is created). */
  groupIds?: number[];
  groupsExclude: string[];
  /** An event of this type for each contact the import creates (none otherwise). */
  eventKeyForNewContacts?: string;
  phone: PhoneOptions;
  /** The `source` of created contacts. */
  source: string;
}

/** eSputnik's `dedupeOn`, as the identity column it names. */
export const DEDUPE_COLUMNS = {
  email: 'email',
  sms: 'phone',
  externalCustomerId: 'external_id',
} as const satisfies Record<string, IdentityColumn>;

/**
 * The order identities are tried in: the external id first when a row has one, then `dedupeOn`,
 * then the other channel (so a row is found by its phone when its email is new, as single saves are).
 */
export function matchOrder(dedupeOn: keyof typeof DEDUPE_COLUMNS): IdentityColumn[] {
  if (dedupeOn === 'externalCustomerId') return ['external_id'];
  return dedupeOn === 'sms' ? ['external_id', 'phone', 'email'] : ['external_id', 'email', 'phone'];
}

/** eSputnik's bulk options as rules: contacts found by external id, then `dedupeOn`; all updated. */
export function bulkRules(
  body: {
    dedupeOn: keyof typeof DEDUPE_COLUMNS;
    groupNames?: string[];
    groupNamesExclude?: string[];
    restoreDeleted: boolean;
    eventKeyForNewContacts?: string;
  } & PhoneOptions,
  source: string,
): ImportRules {
  return {
    matchOn: matchOrder(body.dedupeOn),
    updateExisting: true,
    restoreDeleted: body.restoreDeleted,
    newStatus: 'confirmed',
    groups: body.groupNames ?? [],
    groupsExclude: body.groupNamesExclude ?? [],
    eventKeyForNewContacts: body.eventKeyForNewContacts,
    phone: { defaultCountry: body.defaultCountry, trimLeadingZero: body.trimLeadingZero },
    source,
  };
}

/** CSV options as rules: rows found by external id, else email, else phone (as single saves are). */
export function csvRules(
  options: {
    groups?: string[];
    groupIds?: number[];
    groupsExclude?: string[];
    updateExisting: boolean;
    restoreDeleted: boolean;
    status?: SettableStatus;
    eventKeyForNewContacts?: string;
  } & PhoneOptions,
  source: string,
): ImportRules {
  return {
    matchOn: ['external_id', 'email', 'phone'],
    updateExisting: options.updateExisting,
    restoreDeleted: options.restoreDeleted,
    newStatus: options.status ?? 'confirmed',
    status: options.status,
    groups: options.groups ?? [],
    groupIds: options.groupIds,
    groupsExclude: options.groupsExclude ?? [],
    eventKeyForNewContacts: options.eventKeyForNewContacts,
    phone: { defaultCountry: options.defaultCountry, trimLeadingZero: options.trimLeadingZero },
    source,
  };
}
