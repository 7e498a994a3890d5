import React, { ChangeEvent } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { InlineField, Input, SecretInput } from '@grafana/ui';
import { MlopsDataSourceOptions, MlopsSecureJsonData } from './types';

type Props = DataSourcePluginOptionsEditorProps<MlopsDataSourceOptions, MlopsSecureJsonData>;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;
  return (
    <>
      <InlineField label="Backstage URL" labelWidth={20} tooltip="Base URL of the Backstage backend, e.g. https://backstage.example.com">
        <Input
          id="config-backstage-url"
          width={50}
          value={jsonData.backstageUrl ?? ''}
          placeholder="http://localhost:7007"
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            onOptionsChange({ ...options, jsonData: { ...jsonData, backstageUrl: e.target.value } })
          }
        />
      </InlineField>
      <InlineField label="Token" labelWidth={20} tooltip="A read-only ModelRails token (backend.auth.externalAccess)">
        <SecretInput
          id="config-token"
          width={50}
          isConfigured={!!secureJsonFields?.token}
          value={secureJsonData?.token ?? ''}
          placeholder="read-only token"
          onReset={() =>
            onOptionsChange({
              ...options,
              secureJsonFields: { ...secureJsonFields, token: false },
              secureJsonData: { ...secureJsonData, token: '' },
            })
          }
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, token: e.target.value } })
          }
        />
      </InlineField>
    </>
  );
}
