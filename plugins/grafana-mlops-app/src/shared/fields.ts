import { DataFrame, Field } from '@grafana/data';

/** The named field of a frame, or undefined; panels read frames by the field names the data source documents. */
export function fieldByName(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find(f => f.name === name);
}

/** Row objects for the named fields of every frame; rows missing a required field are skipped. */
export function rowsOf<K extends string>(
  frames: DataFrame[],
  required: readonly K[],
  optional: readonly string[] = []
): Array<Record<K, unknown> & Record<string, unknown>> {
  const rows: Array<Record<K, unknown> & Record<string, unknown>> = [];
  for (const frame of frames) {
    const fields = [...required, ...optional].map(name => [name, fieldByName(frame, name)] as const);
    if (required.some(name => !fieldByName(frame, name))) {
      continue;
    }
    for (let i = 0; i < frame.length; i++) {
      const row: Record<string, unknown> = {};
      for (const [name, field] of fields) {
        row[name] = field?.values[i];
      }
      rows.push(row as Record<K, unknown> & Record<string, unknown>);
    }
  }
  return rows;
}
