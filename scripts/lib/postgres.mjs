// A throwaway PostgreSQL cluster on loopback, for the store tests and the benchmarks.
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, log, run } from './process.mjs';

/**
 * Starts a throwaway PostgreSQL cluster on loopback for the store tests, unless the caller already
 * points the tests at one through BACKSTAGE_TEST_DATABASE_POSTGRES*_CONNECTION_STRING.
 */
export async function startPostgres({ own = false } = {}) {
  const given = Object.keys(process.env).find(k =>
    /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/.test(k),
  );
  if (given && !own) {
    log(`using the PostgreSQL server given in ${given}`);
    return { env: {}, stop: async () => {} };
  }
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter(v => existsSync(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  }
  const major = versions[0];
  const bin = join(base, major, 'bin');
  const dataDir = mkdtempSync(join(tmpdir(), 'modelrails-pg-'));
  const port = await freePort(54329);
  // PostgreSQL refuses to run as root: run it as the postgres user the Debian package creates.
  const asRoot = process.getuid?.() === 0;
  const wrap = (exe, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args]);
  if (asRoot) {
    const { code, output } = await run('id', ['-u', 'postgres'], { quiet: true });
    if (code !== 0) throw new Error('no postgres user to run PostgreSQL as');
    const uid = Number(output.trim());
    const gid = statSync('/usr/lib/postgresql').gid;
    chownSync(dataDir, uid, gid);
  }
  const initdb = await run(...wrap(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']), { quiet: true });
  if (initdb.code !== 0) throw new Error(`initdb failed:\n${initdb.output}`);
  // fsync stays on for a cluster whose crash recovery is under test.
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c max_connections=200${own ? '' : ' -c fsync=off'}`;
  const pgCtl = (...args) => run(...wrap(join(bin, 'pg_ctl'), ['-D', dataDir, ...args]), { quiet: true });
  const start = await pgCtl('-w', '-l', join(dataDir, 'server.log'), '-o', options, 'start');
  if (start.code !== 0) throw new Error(`PostgreSQL did not start:\n${start.output}`);
  log(`PostgreSQL ${major} listening on 127.0.0.1:${port}`);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}`,
    env: {
      [`BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING`]: `postgresql://postgres@127.0.0.1:${port}`,
      MODELRAILS_REQUIRE_POSTGRES: '1',
    },
    /** Stops the server without a clean shutdown (as a crash would) and starts it again. */
    crashAndRestart: async () => {
      const stop = await pgCtl('-m', 'immediate', 'stop');
      if (stop.code !== 0) throw new Error(`PostgreSQL did not stop:\n${stop.output}`);
      const again = await pgCtl('-w', '-l', join(dataDir, 'server.log'), '-o', options, 'start');
      if (again.code !== 0) throw new Error(`PostgreSQL did not restart:\n${again.output}`);
    },
    stop: async () => {
      await run(...wrap(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', 'stop']), { quiet: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

