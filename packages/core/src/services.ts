import { HostError } from './errors.js';

/**
 * A typed key for the host's service registry. Create one per service and export it from the providing
 * plugin's package, so providers and consumers agree on the type:
 * `export const WS_MANAGER = createServiceKey<ConnectionManager>('websocket-manager');`
 */
export interface ServiceKey<T> {
  readonly id: string;
  /** Phantom field: carries `T` for the type checker only. */
  readonly __type?: T;
}

export function createServiceKey<T>(id: string): ServiceKey<T> {
  return Object.freeze({ id });
}

interface ServiceEntry {
  value: unknown;
  provider: string;
}

/** The registry as embedders and tests see it: look services up; only plugins provide them (`host.provide`). */
export interface ServiceLookup {
  /** The service provided under `key`, or undefined. */
  find<T>(key: ServiceKey<T>): T | undefined;
  /** The service provided under `key`; throws `MCPH_SERVICE_MISSING` naming `consumer` if none is. */
  inject<T>(key: ServiceKey<T>, consumer: string): T;
}

/** Services keyed by id (not by object identity), so two copies of a plugin's package still meet. */
export class ServiceRegistry implements ServiceLookup {
  readonly #entries = new Map<string, ServiceEntry>();

  provide<T>(key: ServiceKey<T>, value: T, provider: string): void {
    const existing = this.#entries.get(key.id);
    if (existing) {
      throw new HostError(
        'MCPH_SERVICE_DUPLICATE',
        `Service "${key.id}" is provided by plugin "${existing.provider}" already; plugin "${provider}" cannot provide it again.`,
        { plugin: provider },
      );
    }
    this.#entries.set(key.id, { value, provider });
  }

  inject<T>(key: ServiceKey<T>, consumer: string): T {
    const entry = this.#entries.get(key.id);
    if (!entry) {
      throw new HostError(
        'MCPH_SERVICE_MISSING',
        `Plugin "${consumer}" needs service "${key.id}", but no plugin provides it. List the plugin that provides it before "${consumer}" in the config's plugins.`,
        { plugin: consumer },
      );
    }
    return entry.value as T;
  }

  find<T>(key: ServiceKey<T>): T | undefined {
    return this.#entries.get(key.id)?.value as T | undefined;
  }

  /** A frozen view that looks services up and cannot provide them. */
  lookup(): ServiceLookup {
    return Object.freeze({ find: <T>(key: ServiceKey<T>) => this.find(key), inject: <T>(key: ServiceKey<T>, consumer: string) => this.inject(key, consumer) });
  }
}
