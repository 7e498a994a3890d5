import pluginJson from './plugin.json';

export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

export enum ROUTES {
  Overview = 'overview',
}

export const DATASOURCE_TYPE = 'modelrails-mlops-datasource';
