import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './ConfigEditor';
import { MlopsDataSource } from './datasource';
import { QueryEditor } from './QueryEditor';
import { MlopsDataSourceOptions, MlopsQuery } from './types';

export const plugin = new DataSourcePlugin<MlopsDataSource, MlopsQuery, MlopsDataSourceOptions>(MlopsDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
