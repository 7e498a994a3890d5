import {
  createServiceFactory,
  RootConfigService,
  UrlReaderService,
  UrlReaderServiceReadUrlResponse,
  UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { InputError, NotAllowedError, NotFoundError, NotModifiedError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runbooks are pages, not data sets. */
export const MAX_LOCAL_FILE_BYTES = 1024 * 1024;

/**
 * Backstage's URL reader has no reader for `file:` URLs, which is what the catalog's file
 * locations (the demo's, and any catalog kept beside the backend) resolve to. This one reads only
 * inside the directories of `mlops.runbooks.localDirectories`, and follows no symbolic link below
 * them: a link could point anywhere, so a path's text alone would not say where it reads.
 */
export class LocalFileUrlReader implements UrlReaderService {
  static fromConfig(config: RootConfigService, cwd = process.cwd()) {
    return new LocalFileUrlReader((config.getOptionalStringArray('mlops.runbooks.localDirectories') ?? []).map(d => path.resolve(cwd, d)));
  }

  constructor(private readonly roots: string[]) {}

  /** True for the URLs this reader answers: `file:` ones inside an allowed directory. */
  predicate(url: URL): boolean {
    return url.protocol === 'file:' && this.rootOf(fileURLToPath(url)) !== undefined;
  }

  private rootOf(file: string): string | undefined {
    return this.roots.find(root => file.startsWith(root + path.sep));
  }

  async readUrl(url: string, options?: { etag?: string }): Promise<UrlReaderServiceReadUrlResponse> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'file:') throw new InputError(`${url}: not a file: URL`);
    const file = path.resolve(fileURLToPath(parsed));
    const root = this.rootOf(file);
    if (!root) throw new NotAllowedError(`${url}: outside the directories configured in mlops.runbooks.localDirectories`);
    let at = root;
    for (const part of path.relative(root, file).split(path.sep)) {
      at = path.join(at, part);
      const stat = await lstat(at).catch(() => undefined);
      if (!stat) throw new NotFoundError(`${url}: no such file`);
      if (stat.isSymbolicLink()) throw new NotAllowedError(`${url}: ${path.relative(root, at)} is a symbolic link, which is not followed`);
      if (at === file && !stat.isFile()) throw new NotFoundError(`${url}: not a file`);
      if (at === file && stat.size > MAX_LOCAL_FILE_BYTES) throw new NotAllowedError(`${url}: larger than ${MAX_LOCAL_FILE_BYTES} bytes`);
    }
    const content = await readFile(file);
    const etag = createHash('sha256').update(content).digest('hex').slice(0, 32);
    if (options?.etag === etag) throw new NotModifiedError();
    return { buffer: async () => content, etag };
  }

  async readTree(): Promise<never> {
    throw new Error('LocalFileUrlReader reads single files only');
  }

  /**
   * The catalog's `url` locations are read by search (a URL may be a glob): a URL without glob
   * characters finds its one file, or none when it does not exist.
   */
  async search(url: string, options?: { etag?: string }): Promise<UrlReaderServiceSearchResponse> {
    if (/[*?[\]{}]/.test(decodeURIComponent(new URL(url).pathname))) throw new InputError(`${url}: LocalFileUrlReader reads single files, not patterns`);
    try {
      const response = await this.readUrl(url, options);
      const content = await response.buffer();
      return { files: [{ url, content: async () => content }], etag: response.etag ?? '' };
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') return { files: [], etag: '' };
      throw error;
    }
  }

  toString() {
    return `localFile{roots=${this.roots.join(',')}}`;
  }
}

/**
 * Adds the file reader to Backstage's URL reader (`backend.add(mlopsFileUrlReaderServiceFactory)`).
 * @public
 */
export const mlopsFileUrlReaderServiceFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  async factory() {
    return ({ config }) => {
      const reader = LocalFileUrlReader.fromConfig(config);
      return [{ reader, predicate: (url: URL) => reader.predicate(url) }];
    };
  },
});
