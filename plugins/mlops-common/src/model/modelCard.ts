/**
 * The annotation naming a Model's own model-card Markdown (intended use, limitations, ...),
 * relative to its catalog-info.yaml.
 *
 * @public
 */
export const MODEL_CARD_ANNOTATION = 'modelrails.io/model-card';

/**
 * The `backstage.io/techdocs-ref` of a Model's generated model card, which the catalog module
 * gives every Model without docs of its own: TechDocs reads it through the backend's model card
 * URL reader.
 *
 * @public
 */
export function modelCardDocsRef(namespace: string, name: string): string {
  return `url:modelrails://model-card/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}
