import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

// The scaffold copies the top-level plugin's logos only; nested plugins (data source, panels)
// keep theirs in their own img/ folders.
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return merge(base, {
    plugins: [new CopyWebpackPlugin({ patterns: [{ from: '**/img/*', to: '.', context: '.' }] })],
  });
};

export default config;
