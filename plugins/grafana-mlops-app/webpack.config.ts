import CopyWebpackPlugin from 'copy-webpack-plugin';
import { Compilation, sources, type Compiler, type Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';
import { DASHBOARDS } from './src/dashboards';

/** Writes the dashboards built in code (src/dashboards) to dist/dashboards as JSON. */
class DashboardsAsCodePlugin {
  apply(compiler: Compiler) {
    compiler.hooks.thisCompilation.tap('DashboardsAsCode', compilation => {
      compilation.hooks.processAssets.tap({ name: 'DashboardsAsCode', stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const { file, build } of DASHBOARDS) {
          compilation.emitAsset(`dashboards/${file}`, new sources.RawSource(`${JSON.stringify(build(), null, 2)}\n`));
        }
      });
    });
  }
}

// The scaffold copies the top-level plugin's logos only; nested plugins (data source, panels)
// keep theirs in their own img/ folders.
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return merge(base, {
    plugins: [new CopyWebpackPlugin({ patterns: [{ from: '**/img/*', to: '.', context: '.' }] }), new DashboardsAsCodePlugin()],
  });
};

export default config;
