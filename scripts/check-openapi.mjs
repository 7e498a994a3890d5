// The HTTP contract is written once, in plugins/mlops-backend/src/schema/openapi.yaml; the server
// types and router (mlops-backend) and the client and models (mlops-common) are generated from it
// by Backstage's repo-tools. This regenerates them and fails when the committed files differ, so a
// spec edited without regenerating (or generated code edited by hand) never passes.
// Needs Java (the OpenAPI generator is a Java program, fetched from Maven Central on first use).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const GENERATED = ['plugins/mlops-backend/src/schema/openapi', 'plugins/mlops-common/src/schema/openapi'];

const generateOnce = () =>
  spawnSync(
    join(ROOT, 'node_modules/.bin/backstage-repo-tools'),
    ['package', 'schema', 'openapi', 'generate', '--server', '--client-package', 'plugins/mlops-common'],
    { cwd: join(ROOT, 'plugins/mlops-backend'), stdio: 'inherit' },
  );
let generate = generateOnce();
if (generate.status !== 0) {
  // On a fresh machine the server and client generations both fetch the generator's jar on first
  // use, and one can start before the other has finished writing it ("Unable to access jarfile").
  console.error('The OpenAPI generator failed; once more, now that its jar is fetched');
  generate = generateOnce();
}
if (generate.status !== 0) {
  // The generator empties its output folders first: put the committed files back, so that the
  // steps after this one test the code, not a half-deleted client.
  spawnSync('git', ['checkout', '--', ...GENERATED], { cwd: ROOT, stdio: 'inherit' });
  console.error('The OpenAPI generator failed (it needs Java: apt-get install default-jre-headless)');
  process.exit(1);
}
// Files the generator changed or added against what git holds (committed or staged).
const changed = spawnSync('git', ['diff', '--name-only', '--', ...GENERATED], { cwd: ROOT, encoding: 'utf8' }).stdout;
const added = spawnSync('git', ['ls-files', '--others', '--exclude-standard', '--', ...GENERATED], { cwd: ROOT, encoding: 'utf8' }).stdout;
const status = { stdout: changed + added };
if (status.stdout.trim()) {
  console.error('Generated OpenAPI code was not up to date with the spec; regenerated files:');
  console.error(status.stdout);
  console.error('Run `yarn workspace @modelrails/plugin-mlops-backend generate:openapi` and commit the result.');
  process.exit(1);
}
console.log('openapi: generated server types, router and client match plugins/mlops-backend/src/schema/openapi.yaml');
