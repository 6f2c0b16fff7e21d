// A stable key for a ConnectionRef: the same connection always yields the same string, whatever the
// order of its properties, so the engine opens one Provider per connection and a restored queue finds it.
import type { ConnectionRef } from '../../../shared/connection';

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = stable(v);
    }
    return out;
  }
  return value;
}

export function connectionKey(ref: ConnectionRef): string {
  return JSON.stringify(stable(ref));
}
