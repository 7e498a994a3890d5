import { AuthService, BackstageCredentials, UrlReaderService } from '@backstage/backend-plugin-api';
import { ANNOTATION_LOCATION, parseLocationRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ALERT_KINDS, AlertKind, Runbook, RunbookList, RunbookSummary } from '@modelrails/plugin-mlops-common';
import { pathToFileURL } from 'node:url';
import { catalogCredentials, readModelEntity } from '../policy/ModelPolicyService';
import { BUILTIN_RUNBOOKS } from './builtinRunbooks';
import { MAX_LOCAL_FILE_BYTES } from './LocalFileUrlReader';

type ModelRef = { namespace: string; name: string };

/** A Model's runbooks: its own Markdown files beside its catalog-info.yaml, and the built-in ones. */
export interface RunbookService {
  list(model: ModelRef, credentials: BackstageCredentials): Promise<RunbookList>;
  get(model: ModelRef, id: string, credentials: BackstageCredentials): Promise<Runbook>;
}

/** `locationRef`: the entity's catalog location, which the runbook's path is relative to. */
/**
 * Resolves a runbook path against the entity's location and refuses anything that leaves the
 * location's folder: the entity schema already forbids `..`, but a catalog can hold entities that
 * were never validated by it, and URL resolution turns `%2e%2e` into `..` too.
 */
export function runbookUrl(locationUrl: string, runbookPath: string): string {
  const base = new URL(locationUrl);
  const folder = new URL('.', base);
  let resolved: URL;
  try {
    resolved = new URL(runbookPath, base);
  } catch {
    throw new InputError(`runbook path "${runbookPath}" is not a valid relative path`);
  }
  if (resolved.protocol !== folder.protocol || resolved.host !== folder.host || resolved.username !== folder.username || !resolved.pathname.startsWith(folder.pathname) || resolved.search || resolved.hash) {
    throw new NotAllowedError(`runbook path "${runbookPath}" leaves the folder of the entity's location (${folder.href})`);
  }
  return resolved.href;
}

/** The URL a catalog location ref (`file:/abs/path` or `url:https://…`) stands for. */
export function locationUrlOf(locationRef: string): string {
  const { type, target } = parseLocationRef(locationRef);
  if (type === 'file') return pathToFileURL(target).href;
  if (type === 'url') return target;
  throw new InputError(`the entity's location type "${type}" cannot hold runbooks`);
}

const slug = (text: string) =>
  text
    .replace(/\.md$/i, '')
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * A model's runbooks as listed: its own (ids from their paths, stable while the path is) then the
 * built-ins, and the runbook each alert opens — the model's own when it names the alert.
 */
export function runbookIndex(runbooks: Array<{ title: string; path: string; alerts: AlertKind[] }>): Pick<RunbookList, 'items' | 'byAlert'> {
  const ids = new Set<string>();
  const own: RunbookSummary[] = runbooks.map(runbook => {
    let id = `model-${slug(runbook.path)}`;
    for (let n = 2; ids.has(id); n++) id = `model-${slug(runbook.path)}-${n}`;
    ids.add(id);
    return { id, title: runbook.title, source: 'model', alerts: runbook.alerts, location: runbook.path };
  });
  const builtins: RunbookSummary[] = ALERT_KINDS.map(kind => ({ id: kind, title: BUILTIN_RUNBOOKS[kind].title, source: 'builtin', alerts: [kind] }));
  const byAlert = Object.fromEntries(ALERT_KINDS.map(kind => [kind, own.find(r => r.alerts.includes(kind))?.id ?? kind])) as Record<AlertKind, string>;
  return { items: [...own, ...builtins], byAlert };
}

export class DefaultRunbookService implements RunbookService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly reader: UrlReaderService,
  ) {}

  /** The model's runbook index and the catalog location its own runbooks are relative to. */
  private async read(model: ModelRef, credentials: BackstageCredentials) {
    const modelRef = stringifyEntityRef({ kind: 'model', ...model });
    const entity = await readModelEntity(this.catalog, modelRef, await catalogCredentials(this.auth, credentials));
    const locationRef = (entity.metadata.annotations as Record<string, string> | undefined)?.[ANNOTATION_LOCATION];
    return { modelRef, locationRef, ...runbookIndex(entity.spec.runbooks) };
  }

  async list(model: ModelRef, credentials: BackstageCredentials): Promise<RunbookList> {
    const { modelRef, items, byAlert } = await this.read(model, credentials);
    return { modelRef, items, byAlert };
  }

  async get(model: ModelRef, id: string, credentials: BackstageCredentials): Promise<Runbook> {
    const { modelRef, locationRef, items } = await this.read(model, credentials);
    const runbook = items.find(r => r.id === id);
    if (!runbook) throw new NotFoundError(`${modelRef} has no runbook "${id}"`);
    if (runbook.source === 'builtin') return { ...runbook, markdown: BUILTIN_RUNBOOKS[runbook.alerts[0]].markdown };
    if (!locationRef) throw new NotFoundError(`${modelRef} has no catalog location to read its runbooks from`);
    const response = await this.reader.readUrl(runbookUrl(locationUrlOf(locationRef), runbook.location!));
    const content = await response.buffer();
    if (content.length > MAX_LOCAL_FILE_BYTES) throw new NotAllowedError(`${runbook.location}: larger than ${MAX_LOCAL_FILE_BYTES} bytes`);
    return { ...runbook, markdown: content.toString('utf8') };
  }
}
