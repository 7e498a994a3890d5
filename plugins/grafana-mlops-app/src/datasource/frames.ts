import { createDataFrame, DataFrame, FieldType } from '@grafana/data';
import { ModelPolicyView } from './types';

/**
 * A model's policy as a table frame. Fields: `section` (string), `rule` (string), `value` (string);
 * the frame's name is the model's entity ref.
 */
export function policyToFrame(view: ModelPolicyView, refId: string): DataFrame {
  const section: string[] = [];
  const rule: string[] = [];
  const value: string[] = [];
  for (const s of view.sections) {
    for (const line of s.lines) {
      section.push(s.title);
      rule.push(line.label);
      value.push(line.value);
    }
  }
  return createDataFrame({
    refId,
    name: view.entityRef,
    fields: [
      { name: 'section', type: FieldType.string, values: section },
      { name: 'rule', type: FieldType.string, values: rule },
      { name: 'value', type: FieldType.string, values: value },
    ],
  });
}

/** `namespace/name` or `name` → path segments; anything else is refused before a request is made. */
export function parseModelRef(model: string): { namespace: string; name: string } {
  const match = /^(?:([a-zA-Z0-9][a-zA-Z0-9._-]*)\/)?([a-zA-Z0-9][a-zA-Z0-9._-]*)$/.exec(model.trim());
  if (!match) {
    throw new Error(`"${model}" is not a model reference (expected namespace/name)`);
  }
  return { namespace: match[1] ?? 'default', name: match[2] };
}
