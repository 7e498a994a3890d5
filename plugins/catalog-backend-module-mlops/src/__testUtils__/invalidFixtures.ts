import { Entity } from '@backstage/catalog-model';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The invalid Model files, each with the field its first line says the error must name. */
export function invalidFixtures() {
  const dir = join(__dirname, '../__fixtures__/invalid');
  return readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .map(file => {
      const text = readFileSync(join(dir, file), 'utf8');
      const field = /^# field: (\S+)/.exec(text)?.[1];
      if (!field) throw new Error(`${file} does not say which field it breaks`);
      return { file, field, entity: parse(text) as Entity };
    });
}
