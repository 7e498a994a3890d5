import { DataFrame, Field } from '@grafana/data';

/** The named field of a frame, or undefined; panels read frames by the field names the data source documents. */
export function fieldByName(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find(f => f.name === name);
}

/** What the data source wrote in `meta.custom` (see datasource/mlopsFrames.ts). */
export function customOf(frame: DataFrame): Record<string, unknown> {
  return (frame.meta?.custom ?? {}) as Record<string, unknown>;
}

/** Frames of one documented kind (`meta.custom.kind`). */
export function framesOfKind(frames: DataFrame[], kind: string): DataFrame[] {
  return frames.filter(f => customOf(f).kind === kind);
}

/** A field's values as an array (empty when the frame lacks the field). */
export function valuesOf<T = unknown>(frame: DataFrame, name: string): T[] {
  const field = fieldByName(frame, name);
  return field ? (Array.from(field.values) as T[]) : [];
}

/** A number, or null for null, undefined, NaN and non-numbers. */
export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
