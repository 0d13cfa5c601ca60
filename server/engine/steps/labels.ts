// The group and tag steps: add or remove the contact's memberships, names rendered as templates.
import { interpolate } from '../expressions/templates.ts';
import type { StepHandler } from './step-input.ts';

export const changeGroups: StepHandler<'add_to_groups' | 'remove_from_groups'> = (
  ins,
  { scope },
) => {
  const groups = ins.groups.map((t) => interpolate(t, scope));
  return {
    kind: 'done',
    output: { groups },
    labels: { kind: 'group', add: ins.op === 'add_to_groups', names: groups },
  };
};

export const changeTags: StepHandler<'add_tags' | 'remove_tags'> = (ins, { scope }) => {
  const tags = ins.tags.map((t) => interpolate(t, scope));
  return {
    kind: 'done',
    output: { tags },
    labels: { kind: 'tag', add: ins.op === 'add_tags', names: tags },
  };
};
