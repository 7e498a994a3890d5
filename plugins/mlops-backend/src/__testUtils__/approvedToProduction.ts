import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';

const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);

/**
 * Registers `version` of a model (created by carol, through CI), has alice request its promotion to
 * production and bob approve it, as the API does it for people (mock credentials).
 */
export async function approvedToProduction(server: any, model: { namespace?: string; name: string }, version: string) {
  const base = `/api/mlops/models/${model.namespace ?? 'default'}/${model.name}`;
  const registered = await request(server)
    .post(`${base}/versions`)
    .set('Authorization', mockCredentials.service.header())
    .send({ version, artifact: { uri: `s3://m/${version}`, digest: `sha256:${version.padStart(64, '0')}` }, metrics: {}, createdBy: 'user:default/carol' });
  expect(registered.status).toBe(201);
  const asked = await request(server).post(`${base}/versions/${version}/promotions`).set('Authorization', as('alice')).send({ environment: 'production' });
  expect(asked.status).toBe(201);
  const approved = await request(server).post(`/api/mlops/promotions/${asked.body.id}/approve`).set('Authorization', as('bob')).send({ reason: 'ship it' });
  expect(approved.status).toBe(200);
}
