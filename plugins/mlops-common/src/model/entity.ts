import { z } from 'zod';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { modelPolicySchema } from './policy';
import { ALERT_KINDS } from './alertKinds';

/** @public */
export const MODEL_API_VERSION = 'modelrails.io/v1alpha1';
/** @public */
export const MODEL_KIND = 'Model';

/** @public */
export const MODEL_TYPES = [
  'llm',
  'ranker',
  'candidate-generator',
  'classifier',
  'regressor',
  'embedding',
  'forecaster',
  'anomaly-detector',
] as const;

/** Where a model is in its life, from first experiment to retirement. @public */
export const MODEL_LIFECYCLES = [
  'experimental',
  'development',
  'staging',
  'production',
  'deprecated',
  'retired',
] as const;

/**
 * A reference to another catalog entity, written as Backstage allows (`name`, `namespace/name` or
 * `kind:namespace/name`); a reference that names a kind must name the expected one.
 */
function entityRefSchema(expectedKinds: string[]) {
  const defaultKind = expectedKinds[0];
  return z.string().superRefine((value, ctx) => {
    let ref;
    try {
      ref = parseEntityRef(value, { defaultKind, defaultNamespace: 'default' });
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not an entity reference (${(e as Error).message})`,
      });
      return;
    }
    if (!expectedKinds.includes(ref.kind.toLocaleLowerCase('en-US'))) {
      ctx.addIssue({
        code: 'custom',
        message: `must reference a ${expectedKinds.join(' or ')} entity, not a ${ref.kind}`,
      });
    }
  });
}

const runbookSchema = z
  .object({
    title: z.string().min(1).max(200),
    /** Path of a Markdown file relative to the entity's catalog-info.yaml; never outside its folder. */
    path: z
      .string()
      .min(1)
      .regex(/\.md$/i, { message: 'must point at a Markdown (.md) file' })
      .refine(p => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
        message: 'must be a relative path inside the entity\'s folder (no "/" prefix, no "..")',
      }),
    /** Alerts whose page should link to this runbook. */
    alerts: z
      .array(
        z.enum(ALERT_KINDS),
      )
      .default([]),
  })
  .strict();

/** @public */
export const modelSpecSchema = z
  .object({
    type: z.enum(MODEL_TYPES),
    lifecycle: z.enum(MODEL_LIFECYCLES),
    owner: entityRefSchema(['group', 'user']),
    system: entityRefSchema(['system']).optional(),
    /** Datasets (catalog Resources) the model is trained on. */
    datasets: z.array(entityRefSchema(['resource'])).max(50).default([]),
    /** Feature sets (catalog Resources) the model reads, offline and online. */
    featureSets: z.array(entityRefSchema(['resource'])).max(50).default([]),
    /** The Component that serves the model's predictions (a `model-server` Component, for instance). */
    servedBy: entityRefSchema(['component']).optional(),
    /**
     * The catalog Resource that describes the same model where the catalog has one already: an
     * `ai-model` or `llm` Resource, as Red Hat Developer Hub's model catalog bridge registers them.
     */
    aiModel: entityRefSchema(['resource']).optional(),
    runbooks: z.array(runbookSchema).max(50).default([]),
    policy: modelPolicySchema.prefault({}),
  })
  .strict();

/**
 * The Model entity as the catalog holds it. Metadata is validated by the catalog itself; this
 * schema owns `apiVersion`, `kind` and `spec`.
 * @public
 */
export const modelEntitySchema = z.object({
  apiVersion: z.literal(MODEL_API_VERSION),
  kind: z.literal(MODEL_KIND),
  metadata: z
    .object({
      name: z.string(),
      namespace: z.string().optional(),
      title: z.string().optional(),
      description: z.string().optional(),
    })
    .loose(),
  spec: modelSpecSchema,
  relations: z.array(z.unknown()).optional(),
  status: z.unknown().optional(),
});

/** @public */
export type ModelSpec = z.output<typeof modelSpecSchema>;
/** @public */
export type ModelSpecInput = z.input<typeof modelSpecSchema>;
/** @public */
export type ModelEntity = z.output<typeof modelEntitySchema>;

/** One problem in a Model entity, located by a dotted path such as `spec.policy.gates[0].min`. @public */
export type ModelValidationProblem = { field: string; message: string };

/** @public */
export type ModelParseResult =
  | { success: true; entity: ModelEntity }
  | { success: false; problems: ModelValidationProblem[] };

/** Formats a zod issue path the way people write it: `spec.policy.gates[0].min`. @public */
export function formatFieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${part}]`;
    } else {
      out += out ? `.${String(part)}` : String(part);
    }
  }
  return out || '(entity)';
}

function problemsOf(error: z.ZodError): ModelValidationProblem[] {
  const problems: ModelValidationProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          field: formatFieldPath([...issue.path, key]),
          message: 'is not a known field',
        });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length) {
      // A discriminated union whose tag is wrong: say which tags exist.
      problems.push({ field: formatFieldPath(issue.path), message: issue.message });
      continue;
    }
    problems.push({ field: formatFieldPath(issue.path), message: issue.message });
  }
  return problems;
}

/** Validates an entity claimed to be a Model and fills in policy defaults. @public */
export function parseModelEntity(entity: unknown): ModelParseResult {
  const result = modelEntitySchema.safeParse(entity);
  if (result.success) {
    return { success: true, entity: result.data };
  }
  return { success: false, problems: problemsOf(result.error) };
}

/** One line per problem, each starting with the field it concerns. @public */
export function describeModelProblems(problems: ModelValidationProblem[]): string {
  return problems.map(p => `${p.field}: ${p.message}`).join('; ');
}

/** True for entities of our Model kind, whatever case their kind is written in. @public */
export function isModelEntity(entity: { apiVersion: string; kind: string }): boolean {
  return (
    entity.apiVersion === MODEL_API_VERSION &&
    entity.kind.toLocaleLowerCase('en-US') === MODEL_KIND.toLocaleLowerCase('en-US')
  );
}

/** Normalised references from a Model spec, ready for relations. @public */
export function modelSpecRefs(spec: ModelSpec, namespace: string) {
  const norm = (ref: string, defaultKind: string) =>
    stringifyEntityRef(parseEntityRef(ref, { defaultKind, defaultNamespace: namespace }));
  return {
    owner: norm(spec.owner, 'group'),
    system: spec.system ? norm(spec.system, 'system') : undefined,
    datasets: spec.datasets.map(d => norm(d, 'resource')),
    featureSets: spec.featureSets.map(f => norm(f, 'resource')),
    servedBy: spec.servedBy ? norm(spec.servedBy, 'component') : undefined,
    aiModel: spec.aiModel ? norm(spec.aiModel, 'resource') : undefined,
  };
}
