// The adopter test: ModelRails installed into a Backstage app that is not this repository's, the
// way a company adds it to its own portal.
//
//  1. Builds and packs every published package (`yarn pack`, with Backstage's prepack rewriting the
//     entry points to dist/) and publishes the tarballs to a local registry (Verdaccio) that stands
//     in for the public one: the new app reads the @modelrails scope from it, everything else from
//     the machine's configured registry.
//  2. Creates a fresh app of the same Backstage release with @backstage/create-app (from the npm
//     registry), installs it, and follows each plugin's README — the commands, the backend lines and
//     the catalog rules are read from the READMEs themselves (scripts/adopter/readme.mjs), nothing
//     else is edited — plus the adopter's own Model (the catalog module README's minimal example).
//  3. Type-checks and builds the app, starts its backend on SQLite (serving the built frontend),
//     and opens the Model page and the Promotions page in Chromium by clicking from the landing page
//     (packages/app/e2e-adopter).
//
// Prints Playwright's summary; scripts/mr.mjs counts it. Each phase's duration is logged.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { freePort, log, ROOT, run } from '../lib/process.mjs';
import { ready, startBackend } from '../production/backends.mjs';
import { installInstructions } from './readme.mjs';

/** @backstage/create-app of the release this repository builds against (backstage.json). */
const CREATE_APP_VERSION = '0.9.2';
const PUBLISHED = ['mlops-common', 'mlops-node', 'catalog-backend-module-mlops', 'mlops-backend', 'mlops'];
/** The READMEs an adopter follows, in the order they would: backend, catalog module, portal. */
const READMES = ['mlops-backend', 'catalog-backend-module-mlops', 'mlops'];
const CI_TOKEN = 'adopter-test-ci-token';

const timings = [];
async function phase(name, fn) {
  const t0 = Date.now();
  log(`adopter: ${name}`);
  const result = await fn();
  timings.push(`${name} ${Math.round((Date.now() - t0) / 1000)} s`);
  return result;
}

async function must(cmd, args, options) {
  const { code, output } = await run(cmd, args, { quiet: true, ...options });
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${options?.cwd ?? ROOT}) failed with ${code}:\n${output.slice(-4000)}`);
  return output;
}

/** Verdaccio in this process: the @modelrails scope only, publishing by a user it registers. */
async function startRegistry(dir) {
  const { runServer } = await import('verdaccio');
  const port = await freePort(4873);
  const app = await runServer({
    self_path: dir,
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1 } },
    uplinks: {},
    packages: { '@modelrails/*': { access: '$all', publish: '$authenticated' } },
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
  });
  const server = await new Promise(resolve => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const url = `http://localhost:${port}`;
  const user = await fetch(`${url}/-/user/org.couchdb.user:ci`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ci', password: 'adopter-test-only' }),
  }).then(r => r.json());
  if (!user.token) throw new Error(`the local registry did not register its publisher: ${JSON.stringify(user)}`);
  return { url, token: user.token, stop: () => server.close() };
}

let code = 1;
let registry;
let backend;
const work = mkdtempSync(join(tmpdir(), 'modelrails-adopter-'));
const app = join(work, 'app');
try {
  const packs = join(work, 'packs');
  mkdirSync(packs);
  await phase('build the published packages', async () => {
    await must('yarn', ['tsc']);
    for (const p of PUBLISHED) await must('yarn', ['backstage-cli', 'package', 'build'], { cwd: join(ROOT, 'plugins', p) });
  });
  await phase('pack them (yarn pack)', async () => {
    for (const p of PUBLISHED) await must('yarn', ['pack', '--out', join(packs, '%s-%v.tgz')], { cwd: join(ROOT, 'plugins', p) });
  });
  registry = await phase('publish them to a local registry', async () => {
    const r = await startRegistry(join(work, 'registry'));
    const host = r.url.replace(/^http:/, '');
    for (const tarball of readdirSync(packs)) {
      await must('npm', ['publish', join(packs, tarball), '--registry', `${r.url}/`, `--${host}/:_authToken=${r.token}`], { cwd: work });
    }
    return r;
  });

  await phase(`create a Backstage app (@backstage/create-app ${CREATE_APP_VERSION})`, async () => {
    await must('npx', ['--yes', `@backstage/create-app@${CREATE_APP_VERSION}`, '--path', app, '--skip-install'], {
      cwd: work,
      env: { BACKSTAGE_APP_NAME: 'adopter-portal' },
    });
    const release = JSON.parse(readFileSync(join(app, 'backstage.json'), 'utf8')).version;
    const ours = JSON.parse(readFileSync(join(ROOT, 'backstage.json'), 'utf8')).version;
    if (release !== ours) throw new Error(`create-app ${CREATE_APP_VERSION} made a Backstage ${release} app; this repository builds against ${ours}`);
    // create-app seeds yarn.lock from the Backstage repository (unreachable here): without a seed
    // every @backstage package resolves to its newest version and a 1.55 app mixes in the next
    // release's plugins (signals-backend then needs a backend-defaults the app does not have). Our
    // own lockfile is a seed of the same release; yarn drops what the app does not use.
    copyFileSync(join(ROOT, 'yarn.lock'), join(app, 'yarn.lock'));
    // The registry stand-in: the @modelrails scope from it (over plain http on loopback) and, as
    // freshly published packages, exempt from the app's minimum-age gate like @backstage/*.
    await must('yarn', ['config', 'set', 'npmScopes.modelrails.npmRegistryServer', registry.url], { cwd: app });
    await must('yarn', ['config', 'set', '--json', 'unsafeHttpWhitelist', '["localhost"]'], { cwd: app });
    await must('yarn', ['config', 'set', '--json', 'npmPreapprovedPackages', '["@backstage/*","@modelrails/*"]'], { cwd: app });
  });
  // An adopter's machine is not CI: the new app's lockfile is theirs to write.
  const adopterEnv = { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' };
  await phase('install the app (yarn install)', () => must('yarn', ['install'], { cwd: app, env: adopterEnv }));

  // Yarn's global cache keys packages by name and version: a previous run's tarballs of the same
  // version would be installed instead of the ones just packed.
  const cacheFolder = (await must('yarn', ['config', 'get', 'cacheFolder'], { cwd: app })).trim();
  for (const file of readdirSync(cacheFolder).filter(f => f.startsWith('@modelrails-'))) rmSync(join(cacheFolder, file));
  const modelName = await phase("follow the plugins' READMEs", async () => {
    const config = parseDocument(readFileSync(join(app, 'app-config.yaml'), 'utf8'));
    // The portal plugin's README: "With feature discovery (`app.packages: all`) nothing else is needed".
    if (config.getIn(['app', 'packages']) !== 'all') throw new Error('the new app does not discover features (app.packages: all); the portal README assumes it does');
    const indexFile = join(app, 'packages', 'backend', 'src', 'index.ts');
    let model;
    for (const name of READMES) {
      const steps = installInstructions(join(ROOT, 'plugins', name, 'README.md'));
      for (const command of steps.commands) {
        log(`  ${name} README: ${command}`);
        const [cmd, ...args] = command.split(/\s+/);
        await must(cmd, args, { cwd: app, env: adopterEnv });
      }
      let index = readFileSync(indexFile, 'utf8');
      for (const line of steps.backendLines) {
        if (index.includes(line)) continue;
        log(`  ${name} README: ${line}`);
        index = index.replace(/^backend\.start\(\);/m, `${line}\n\nbackend.start();`);
      }
      writeFileSync(indexFile, index);
      const rules = config.getIn(['catalog', 'rules']);
      const allow = rules?.get(0)?.get('allow');
      for (const kind of steps.allowedKinds) {
        if (!allow.items.some(i => i.value === kind)) {
          log(`  ${name} README: catalog.rules allow ${kind}`);
          allow.add(kind);
        }
      }
      model ??= steps.models[0];
      // The backend README's CI token (its `${MODELRAILS_CI_TOKEN}` set below), which registers versions.
      const ci = steps.externalAccess.find(a => a.options?.subject === 'ci');
      if (ci) {
        log(`  ${name} README: backend.auth.externalAccess for ${ci.options.subject}`);
        config.setIn(['backend', 'auth', 'externalAccess'], [ci]);
      }
    }
    if (!config.getIn(['backend', 'auth', 'externalAccess'])) throw new Error("no README shows the CI token's backend.auth.externalAccess");
    writeFileSync(join(app, 'app-config.yaml'), config.toString());
    if (!model) throw new Error('no README shows a Model entity to register');
    // The adopter's own Model: the README's minimal example, in the app's example data.
    writeFileSync(join(app, 'examples', 'entities.yaml'), `${readFileSync(join(app, 'examples', 'entities.yaml'), 'utf8')}\n---\n${stringify(model)}`);
    return model.metadata.name;
  });

  await phase('type-check and build the app', async () => {
    await must('yarn', ['tsc'], { cwd: app });
    await must('yarn', ['workspace', 'app', 'build'], { cwd: app });
  });

  const port = await freePort(7290);
  const url = `http://localhost:${port}`;
  // Where this run listens: the app and backend on one origin (the backend serves the built app).
  writeFileSync(
    join(work, 'adopter-test.yaml'),
    JSON.stringify({ app: { baseUrl: url }, backend: { baseUrl: url, listen: { port }, cors: { origin: url } } }),
  );
  backend = await phase('start the backend on SQLite', async () => {
    const b = startBackend('adopter backend', 'backend', join(work, 'adopter-test.yaml'), { MODELRAILS_CI_TOKEN: CI_TOKEN }, { cwd: app });
    await ready(b, url);
    return b;
  });
  await phase('register a version from CI', async () => {
    // As the adopter's training pipeline would (the root README's "Register a version from CI"):
    // the Model's first version, which the Versions tab then shows.
    const modelUrl = `${url}/api/mlops/models/default/${modelName}`;
    const body = {
      version: '1',
      artifact: { uri: `s3://models/${modelName}/1/model.bin`, digest: `sha256:${'ab'.repeat(32)}` },
      codeCommit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
      metrics: { auc: 0.72 },
      training: { run: { id: 'adopter-ci-1' } },
    };
    // The catalog reads the example data shortly after start; until then the Model is unknown (404).
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${modelUrl}/versions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CI_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status === 201) return;
      if (response.status !== 404 || attempt >= 60) throw new Error(`registering version 1 answered ${response.status}: ${await response.text()}`);
      await new Promise(r => setTimeout(r, 2000));
    }
  });
  let output;
  ({ code, output } = await phase('open the Model and Promotions pages in Chromium', () =>
    run('yarn', ['playwright', 'test', '--config', 'playwright.adopter.config.ts'], { env: { ADOPTER_PORTAL_URL: url, ADOPTER_MODEL: modelName } }),
  ));
  if (code !== 0) {
    process.stderr.write(`--- adopter backend (last output)\n${backend.log()}\n`);
    process.stdout.write(`--- Playwright's report again\n${output.slice(-8000)}\n`);
  }
} catch (error) {
  log(String(error?.stack ?? error));
  process.stdout.write('1 failed\n');
  code = 1;
} finally {
  backend?.stop();
  registry?.stop();
  log(`adopter test: ${timings.join(', ')}`);
  if (code === 0 && !process.env.MODELRAILS_KEEP_ADOPTER_APP) rmSync(work, { recursive: true, force: true });
  else log(`the adopter's app is kept in ${app}`);
}
process.exit(code);
