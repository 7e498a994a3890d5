/** `namespace/name` or `name` → path segments; anything else is refused before a request is made. */
export function parseModelRef(model: string): { namespace: string; name: string } {
  const match = /^(?:([a-zA-Z0-9][a-zA-Z0-9._-]*)\/)?([a-zA-Z0-9][a-zA-Z0-9._-]*)$/.exec(model.trim());
  if (!match) {
    throw new Error(`"${model}" is not a model reference (expected namespace/name)`);
  }
  return { namespace: match[1] ?? 'default', name: match[2] };
}
