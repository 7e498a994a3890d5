import { createReadStream, existsSync, readFileSync, statSync } from 'fs';
import { createRequire } from 'module';
import { dirname, extname, join, normalize, resolve } from 'path';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';

/*
 * A page that renders the app's panels with the real @grafana/ui and @grafana/data, outside a
 * Grafana server (none can run here). What Grafana would provide is provided the way Grafana
 * provides it: the data source's proxy route from its plugin.json (URL and token header filled
 * from the settings below), Grafana's icons and Inter fonts under /public.
 */
const require = createRequire(import.meta.url);
const app = resolve(__dirname, '..');
const settings = {
  uid: 'modelrails',
  jsonData: { backstageUrl: process.env.MODELRAILS_BACKEND_URL ?? 'http://localhost:7077' },
  secureJsonData: { token: process.env.MODELRAILS_TOKEN ?? 'modelrails-demo-read-token' },
};

/** Grafana's data proxy: /api/datasources/proxy/uid/<uid>/<route path> → the route's URL, with its headers. */
function dataProxy(): Record<string, ProxyOptions> {
  const plugin = JSON.parse(readFileSync(join(app, 'src/datasource/plugin.json'), 'utf8'));
  const fill = (template: string) =>
    template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_, where: string, key: string) => {
      const values: Record<string, string> = where === 'JsonData' ? settings.jsonData : settings.secureJsonData;
      return values[key] ?? '';
    });
  const proxies: Record<string, ProxyOptions> = {};
  for (const route of plugin.routes as Array<{ path: string; url: string; headers?: Array<{ name: string; content: string }> }>) {
    const prefix = `/api/datasources/proxy/uid/${settings.uid}/${route.path}`;
    const target = new URL(fill(route.url));
    proxies[prefix] = {
      target: target.origin,
      changeOrigin: true,
      rewrite: path => target.pathname + path.slice(prefix.length),
      headers: Object.fromEntries((route.headers ?? []).map(h => [h.name, fill(h.content)])),
    };
  }
  return proxies;
}

const TYPES: Record<string, string> = { '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png' };

/** Serves Grafana's static files: icons from @grafana/ui, Inter from the inter-ui package. */
function grafanaPublic(): Plugin {
  const roots: Array<[string, string]> = [
    ['/public/build/img/', join(dirname(require.resolve('@grafana/ui/package.json')), 'dist/public/img')],
    ['/public/fonts/inter/', join(dirname(require.resolve('inter-ui/package.json')), 'web')],
  ];
  return {
    name: 'grafana-public',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0];
        for (const [prefix, root] of roots) {
          const file = normalize(join(root, decodeURIComponent(url.slice(prefix.length))));
          if (url.startsWith(prefix) && file.startsWith(root) && existsSync(file) && statSync(file).isFile()) {
            res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
            createReadStream(file).pipe(res);
            return;
          }
        }
        next();
      });
    },
  };
}

export default defineConfig({
  root: __dirname,
  publicDir: false,
  plugins: [grafanaPublic()],
  esbuild: { jsx: 'automatic' },
  define: { 'process.env.NODE_ENV': JSON.stringify('development') },
  server: { host: '127.0.0.1', strictPort: true, proxy: dataProxy() },
  optimizeDeps: {
    // Bundled once at start, so the first page load does not re-bundle and reload.
    include: ['@grafana/data', '@grafana/ui', '@grafana/runtime', '@emotion/css', 'react', 'react-dom/client', 'rxjs', '@grafana/grafana-foundation-sdk/dashboard', '@grafana/grafana-foundation-sdk/table'],
  },
});
