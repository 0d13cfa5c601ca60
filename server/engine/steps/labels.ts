// The group and tag steps: add or remove the contact's memberships, names rendered as templates.
import { addContactToGroups, removeContactFromGroups } from '../../contacts/groups.ts';
import { addTags, removeTags } from '../../contacts/tags.ts';
import { interpolate } from '../expressions/templates.ts';
import type { StepHandler } from './step-input.ts';

export const changeGroups: StepHandler<'add_to_groups' | 'remove_from_groups'> = (
  ins,
  { run, scope },
) => {
  const groups = ins.groups.map((t) => interpolate(t, scope));
  const change = ins.op === 'add_to_groups' ? addContactToGroups : removeContactFromGroups;
  return {
    kind: 'done',
    output: { groups },
    effects: (tx) => change(tx.db, run.contact_id as number, groups),
  };
};

export const changeTags: StepHandler<'add_tags' | 'remove_tags'> = (ins, { run, scope }) => {
  const tags = ins.tags.map((t) => interpolate(t, scope));
  const change = ins.op === 'add_tags' ? addTags : removeTags;
  return {
    kind: 'done',
    output: { tags },
    effects: (tx) => change(tx.db, run.contact_id as number, tags),
  };
};
