import { mlopsRegisterPermission } from '@modelrails/plugin-mlops-common';
import { modelRefOf, RouteContext } from '../router/router';
import { RegistryService } from './RegistryService';

/** Model versions: registration (CI, people with the register permission), reads, gate runs. */
export function registryRoutes({ router, reader, credentials, authorize }: RouteContext, registry: RegistryService) {
  router.post('/models/:namespace/:name/versions', async (req, res) => {
    const caller = await credentials(req);
    await authorize(caller, mlopsRegisterPermission, modelRefOf(req.params));
    res.status(201).json(await registry.register(req.params, req.body, caller));
  });

  router.get('/models/:namespace/:name/versions', async (req, res) => {
    await reader(req);
    res.json(await registry.list(req.params));
  });

  router.get('/models/:namespace/:name/versions/:version', async (req, res) => {
    await reader(req);
    res.json(await registry.get(req.params, req.params.version));
  });

  router.post('/models/:namespace/:name/versions/:version/gates', async (req, res) => {
    const caller = await credentials(req);
    await authorize(caller, mlopsRegisterPermission, modelRefOf(req.params));
    res.json(await registry.evaluateGates(req.params, req.params.version, caller));
  });
}
