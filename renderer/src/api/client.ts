// The renderer's one way to the core: FileFerryApi built on whichever transport the page has. Components
// never call a transport; they get this client from context (and stores fed by its events).
import {
  API_METHODS,
  type ApiEventKind,
  type ApiEvents,
  type ApiMethodName,
  type FileFerryApi,
} from '../../../shared/api';
import type { ClientTransport } from './transport';

export function createApiClient(transport: ClientTransport): FileFerryApi {
  const services: Record<string, Record<string, (arg?: unknown) => Promise<unknown>>> = {};
  for (const method of API_METHODS) {
    const [service, name] = method.split('.') as [string, string];
    (services[service] ??= {})[name] = (arg?: unknown) => transport.call(method as ApiMethodName, arg);
  }
  return {
    ...(services as unknown as Omit<FileFerryApi, 'on'>),
    on<K extends ApiEventKind>(kind: K, listener: (payload: ApiEvents[K]) => void) {
      return transport.subscribe(kind, listener);
    },
  };
}
