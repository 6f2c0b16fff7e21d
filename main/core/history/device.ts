// Which device this data folder is: each data folder (FILEFERRY_HOME) is one device of the user's, with an id
// that never changes and a name they recognise (the host name unless they set one). Kept in device.json
// beside history.db rather than inside it: a damaged history set aside must not make the machine a new device.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { FerryError } from '../../../shared/errors';
import { UNPRINTABLE } from '../../../shared/text';
import { writeFileAtomic } from '../connections/atomic-file';

export const DEVICE_FILE = 'device.json';
const NAME_MAX = 100;

export interface Device {
  id: string;
  name: string;
}

const deviceFileSchema = z.object({ id: z.string().uuid(), name: z.string().max(NAME_MAX).optional() });

/** This data folder's device, created on first use. */
export async function readDevice(dataDir: string): Promise<Device> {
  const file = join(dataDir, DEVICE_FILE);
  const stored = await readStored(file);
  if (stored) return { id: stored.id, name: stored.name ?? defaultName() };
  const created = { id: randomUUID() };
  await writeFileAtomic(file, JSON.stringify(created));
  // Two processes starting at once may both have created one: the file that won the rename is the device.
  const winner = await readStored(file);
  return { id: winner?.id ?? created.id, name: winner?.name ?? defaultName() };
}

/** Names this device (empty: the host name again). */
export async function setDeviceName(dataDir: string, name: string): Promise<Device> {
  const trimmed = name.trim();
  if (trimmed.length > NAME_MAX || new RegExp(UNPRINTABLE.source).test(trimmed)) {
    throw new FerryError(
      'InvalidInput',
      `A device name is at most ${NAME_MAX} characters, without line breaks or control characters.`,
    );
  }
  const device = await readDevice(dataDir);
  const stored = trimmed === '' ? { id: device.id } : { id: device.id, name: trimmed };
  await writeFileAtomic(join(dataDir, DEVICE_FILE), JSON.stringify(stored));
  return { id: device.id, name: stored.name ?? defaultName() };
}

async function readStored(file: string): Promise<z.infer<typeof deviceFileSchema> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return deviceFileSchema.parse(JSON.parse(text));
  } catch {
    // Hand-edited beyond repair: a new identity is better than none (the old records keep their device id).
    return undefined;
  }
}

function defaultName(): string {
  return hostname() || 'this device';
}
