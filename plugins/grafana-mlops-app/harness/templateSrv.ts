import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

/**
 * Dashboard variables as Grafana keeps them for a panel: `var-<name>` in the page URL (where
 * locationService.partial writes them), `$name`, `${name}` and `${name:format}` replaced, csv
 * joining multi-values and Grafana's default format wrapping them in braces.
 */
export function urlTemplateSrv(): TemplateSrv {
  const values = (name: string) => new URLSearchParams(window.location.search).getAll(`var-${name}`);
  const replace = (text = '', scopedVars?: ScopedVars, format?: string | Function) =>
    text.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (match, braced?: string, inlineFormat?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      const scoped = scopedVars?.[name]?.value;
      const list = scoped !== undefined ? [String(scoped)] : values(name);
      if (!list.length) {
        return match;
      }
      const how = inlineFormat ?? (typeof format === 'string' ? format : undefined);
      if (list.length === 1) {
        return list[0];
      }
      return how === 'csv' ? list.join(',') : `{${list.join(',')}}`;
    });
  return {
    replace,
    getVariables: () => [] as TypedVariableModel[],
    containsTemplate: (text?: string) => !!text && /\$\{?\w+/.test(text),
    updateTimeRange: () => undefined,
  } as unknown as TemplateSrv;
}
