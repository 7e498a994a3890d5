import React, { ChangeEvent } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { InlineField, Input } from '@grafana/ui';
import { MlopsDataSource } from './datasource';
import { MlopsDataSourceOptions, MlopsQuery } from './types';

type Props = QueryEditorProps<MlopsDataSource, MlopsQuery, MlopsDataSourceOptions>;

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  return (
    <InlineField label="Model" labelWidth={12} tooltip="A Model entity as namespace/name">
      <Input
        id="query-editor-model"
        width={40}
        value={query.model ?? ''}
        placeholder="default/home-feed-ranker"
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange({ ...query, model: e.target.value })}
        onBlur={onRunQuery}
      />
    </InlineField>
  );
}
