// The group and tag steps: add or remove the contact's memberships, names rendered as templates.
import { addLabels, removeLabels } from '../../contacts/labels/labels.ts';
import { interpolate } from '../expressions/templates.ts';
import type { StepHandler } from './step-input.ts';

export const changeGroups: StepHandler<'add_to_groups' | 'remove_from_groups'> = (
  ins,
  { run, scope, now },
) => {
  const groups = ins.groups.map((t) => interpolate(t, scope));
  const verb = ins.op === 'add_to_groups' ? addLabels : removeLabels;
  return {
    kind: 'done',
    output: { groups },
    effects: async (tx) => {
      await verb(tx.db, 'group', [run.contact_id as number], groups, now);
    },
  };
};

export const changeTags: StepHandler<'add_tags' | 'remove_tags'> = (ins, { run, scope, now }) => {
  const tags = ins.tags.map((t) => interpolate(t, scope));
  const verb = ins.op === 'add_tags' ? addLabels : removeLabels;
  return {
    kind: 'done',
    output: { tags },
    effects: async (tx) => {
      await verb(tx.db, 'tag', [run.contact_id as number], tags, now);
    },
  };
};
