import React, { ChangeEvent } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, ComboboxOption, InlineField, InlineFieldRow, Input } from '@grafana/ui';
import { MlopsDataSource } from './datasource';
import { MlopsDataSourceOptions, MlopsQuery, MlopsQueryType, QUERY_TYPES } from './types';

type Props = QueryEditorProps<MlopsDataSource, MlopsQuery, MlopsDataSourceOptions>;

/** Which optional inputs each query type reads. */
const INPUTS: Record<MlopsQueryType, Array<'version' | 'feature' | 'segment' | 'rolloutId'>> = {
  kpi: ['version', 'segment'],
  performance: [],
  backtest: [],
  drift: ['version', 'segment', 'feature'],
  contract: ['version', 'segment'],
  canary: ['rolloutId'],
  annotations: [],
  policy: [],
};

const PLACEHOLDERS = {
  version: 'busiest / all',
  feature: '$feature',
  segment: 'all',
  rolloutId: 'newest',
};

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const type = query.queryType ?? 'kpi';
  const text = (key: 'model' | 'version' | 'feature' | 'segment' | 'rolloutId', label: string, width: number, placeholder: string) => (
    <InlineField label={label} labelWidth={10} key={key}>
      <Input
        id={`query-editor-${key}`}
        width={width}
        value={query[key] ?? ''}
        placeholder={placeholder}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...query, [key]: e.target.value })}
        onBlur={onRunQuery}
      />
    </InlineField>
  );
  return (
    <>
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={10}>
          <Combobox<MlopsQueryType>
            id="query-editor-type"
            width={20}
            options={QUERY_TYPES}
            value={type}
            onChange={(v: ComboboxOption<MlopsQueryType>) => {
              onChange({ ...query, queryType: v.value });
              onRunQuery();
            }}
          />
        </InlineField>
        {text('model', 'Model', 32, type === 'kpi' ? 'every model' : 'namespace/name or $model')}
      </InlineFieldRow>
      <InlineFieldRow>
        {INPUTS[type].map(key => text(key, key === 'rolloutId' ? 'Rollout' : key[0].toUpperCase() + key.slice(1), 20, key === 'segment' && type === 'kpi' ? 'tags, e.g. platform' : PLACEHOLDERS[key]))}
      </InlineFieldRow>
    </>
  );
}
