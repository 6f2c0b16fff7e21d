// Azure access tiers: naming, and what an archived blob's state means for a person.
import { AZURE_TIERS } from '../../../../shared/connection';
import { FerryError } from '../../../../shared/errors';

export type AzureTier = (typeof AZURE_TIERS)[number];

/** Accepts any capitalisation ("cool", "COOL") and returns the service's spelling. */
export function parseTier(value: string): AzureTier {
  const tier = AZURE_TIERS.find((t) => t.toLowerCase() === value.trim().toLowerCase());
  if (!tier)
    throw new FerryError(
      'InvalidInput',
      `"${value}" is not an Azure access tier. Choose one of ${AZURE_TIERS.join(', ')}.`,
    );
  return tier;
}

/**
 * Why a blob cannot be read now, or undefined when it can. archiveStatus is the service's rehydration state
 * ("rehydrate-pending-to-hot", "rehydrate-pending-to-cool", "rehydrate-pending-to-cold").
 */
export function unavailableReason(tier: string | undefined, archiveStatus: string | undefined): string | undefined {
  if (archiveStatus) {
    const target = /to-(\w+)/.exec(archiveStatus)?.[1] ?? 'an online tier';
    return `Archived; rehydrating to ${target} (can take up to 15 hours). Readable when rehydration finishes.`;
  }
  if (tier?.toLowerCase() === 'archive') {
    return 'Archived: change its access tier to Hot, Cool or Cold to rehydrate it (takes hours) before reading.';
  }
  return undefined;
}
