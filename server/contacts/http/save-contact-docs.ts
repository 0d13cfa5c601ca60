// What the OpenAPI document says about POST /contacts: the three body shapes and an example of each.

export const saveContactDescription = `Finds the contact by \`externalId\`, else \`email\`, else \`phone\`,
and updates it with the values given, or creates it (\`confirmed\` unless \`status\` says otherwise).
No double opt-in mail and no event. Options sit beside the contact's keys: \`groups\` (names; unknown
ones are created), \`groupIds\` (must exist), \`removeFromGroups\`, \`removeFromGroupIds\`,
\`removeFromAllOtherGroups\`, \`clearExistingFields\`, \`tags\`, \`status\`, and the phone options
\`defaultCountry\` and \`trimLeadingZero\`. \`null\` is the same as absent here, except inside \`fields\`
(it clears that field). Answers 201 for a new contact, 200 for an updated one.

The body may also be written as two other platforms write theirs; it is read into this one first,
and errors name the keys as sent:
- **inwise** (\`InwiseContactRequest\`): \`mobile_number\` → phone, \`fields: [{name, content}]\` →
  fields, \`confirmation_status\` → status, \`add_to_groups_ids\` → groupIds,
  \`remove_from_groups_ids\` → removeFromGroupIds, \`remove_from_all_other_groups\`,
  \`clear_existing_fields\`, \`external_id\`, \`trim_mobile_number_leading_zero\`,
  \`mobile_number_default_country_code\` → defaultCountry; \`id: 0\` and
  \`add_default_country_to_mobile_number_only_if_not_exists\` are accepted (a country is only ever
  added to a number that has none).
- **ip1** (\`Ip1ContactRequest\`): \`properties.phoneNumber/email/firstName/lastName\` → the
  contact's own keys, any other property → \`fields\`, \`labels\` → tags; \`metadata\` is ignored.

A body with a \`contacts\` array is eSputnik's bulk add/update (\`BulkContactsRequest\`, 1–3000
contacts in either shape): an import, answered at once with 200 \`{asyncSessionId}\` (as eSputnik
answers; follow it at GET /imports/{asyncSessionId}), or with \`?sync=true\` (at most 1000 contacts)
the finished import. A contact is found by \`externalCustomerId\`, else by \`dedupeOn\` (email, sms or
externalCustomerId; default email); new ones are \`confirmed\`, with no mail and no event unless
\`eventKeyForNewContacts\` is given (params ContactId, EmailAddress, SMS; key: the email, else the
phone). A contact that cannot be saved fails alone and is listed in \`failedContacts\` with the reason.`;

export const saveContactExamples = {
  native: {
    summary: 'Subflow',
    value: {
      email: 'ann@example.com',
      phone: '+380942583691',
      firstName: 'Ann',
      fields: { plan: 'pro' },
      groups: ['Customers'],
      tags: ['vip'],
    },
  },
  esputnik: {
    summary: 'eSputnik contact',
    value: {
      channels: [
        { type: 'email', value: 'mail@example.com' },
        { type: 'sms', value: '380942583691' },
      ],
      firstName: 'John',
      lastName: 'Smith',
      fields: [{ id: '12345', value: '...' }],
    },
  },
  inwise: {
    summary: 'inwise',
    value: {
      email: 'contact1@company.com',
      mobile_number: '972541111111',
      fields: [{ name: 'field1', content: 'fname1' }],
      confirmation_status: 'confirmed',
      add_to_groups_ids: [1],
    },
  },
  ip1: {
    summary: 'ip1',
    value: {
      properties: {
        phoneNumber: '46712345678',
        email: 'icarus@example.com',
        firstName: 'Icarus',
        lastName: 'Sol',
        department: 'Sales',
      },
      labels: ['Coworker', 'Sales'],
    },
  },
};
