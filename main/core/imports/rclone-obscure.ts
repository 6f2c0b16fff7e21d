// rclone's "obscured" passwords (rclone/fs/config/obscure): base64url without padding of a 16-byte random IV
// followed by the password encrypted with AES-256-CTR under a key published in rclone's source. It hides a
// password from a glance over the shoulder, nothing more; FileFerry reveals it only to move it into the
// credential store.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FerryError } from '../../../shared/errors';

const RCLONE_KEY = Buffer.from([
  0x9c, 0x93, 0x5b, 0x48, 0x73, 0x0a, 0x55, 0x4d, 0x6b, 0xfd, 0x7c, 0x63, 0xc8, 0x86, 0xa9, 0x2b, 0xd3, 0x90, 0x19,
  0x8e, 0xb8, 0x12, 0x8a, 0xfb, 0xf4, 0xde, 0x16, 0x2b, 0x8b, 0x95, 0xf6, 0x38,
]);
const IV_LENGTH = 16;

export function revealRclonePassword(obscured: string): string {
  const bytes = Buffer.from(obscured.trim().replace(/=+$/, ''), 'base64url');
  if (!/^[A-Za-z0-9_-]*=*$/.test(obscured.trim()) || bytes.length < IV_LENGTH) {
    throw new FerryError(
      'InvalidInput',
      'This rclone password is not in rclone\'s obscured form (was it written by "rclone obscure"?).',
    );
  }
  const decipher = createDecipheriv('aes-256-ctr', RCLONE_KEY, bytes.subarray(0, IV_LENGTH));
  return Buffer.concat([decipher.update(bytes.subarray(IV_LENGTH)), decipher.final()]).toString('utf8');
}

/** The inverse, as `rclone obscure` does it; `iv` is for tests (rclone draws it at random). */
export function obscureRclonePassword(plain: string, iv: Uint8Array = randomBytes(IV_LENGTH)): string {
  if (iv.length !== IV_LENGTH) throw new FerryError('InvalidInput', 'An rclone IV is 16 bytes.');
  const cipher = createCipheriv('aes-256-ctr', RCLONE_KEY, iv);
  return Buffer.concat([Buffer.from(iv), cipher.update(plain, 'utf8'), cipher.final()]).toString('base64url');
}
