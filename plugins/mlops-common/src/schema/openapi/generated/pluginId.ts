export const pluginId = 'mlops';
