// The target's confined view for a transfer (Provider.confine): a link planted or forgotten in the folder the
// user chose must never let the job write outside it (see providers/local/confinement.ts).
import type { Provider } from '../../../shared/provider';
import type { TransferRequest } from '../../../shared/transfers';

export interface ConfinedSides {
  source: Provider;
  target: Provider;
}

/**
 * The job's providers with the target confined, where the target offers it. Within one site the source
 * becomes the same view, so the site still copies by itself (service-copy.ts compares them).
 */
export async function confineTarget(
  request: TransferRequest,
  source: Provider,
  target: Provider,
): Promise<ConfinedSides> {
  const confined = await confinedTarget(request, target);
  return { source: source === target ? confined : source, target: confined };
}

/** The target's confined view for the request, or the target itself where it has no links to judge. */
export function confinedTarget(request: TransferRequest, target: Provider): Promise<Provider> {
  return target.confine ? target.confine(request.target.path) : Promise.resolve(target);
}
