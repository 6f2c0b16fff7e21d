// The one error both cloud providers give when a transfer writes into a bucket or container that does not
// exist: they create folders on the way, but a bucket is an account-level thing a typo must not create.
import { FerryError } from '../../../shared/errors';

export function missingRoot(kind: 'bucket' | 'container', name: string): FerryError {
  return new FerryError(
    'NotFound',
    `The ${kind} "${name}" does not exist. Check the name, or create the ${kind} first (mkdir) and copy again.`,
    { details: { missing: kind } },
  );
}
