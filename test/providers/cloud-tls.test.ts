// S3 and Azure Blob over HTTPS, as every real account is reached: uploads of several parts and blocks through
// the providers, and a one-block file put whole to Azure, arrive byte-identical, and no single write to a TLS
// socket is larger than a slice of a part (main/core/util/sliced-body.ts). Run in a child process started with
// NODE_EXTRA_CA_CERTS, so the SDKs keep certificate verification on and trust only the test certificate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TLS_WRITE_SLICE_BYTES } from '../../main/core/util/sliced-body';
import { createTestCertificate } from '../helpers/certs';
import { runChildScript } from '../helpers/child-script';

interface ChildReport {
  endpoints: string[];
  expectedSha256: { s3: string; azure: string; azureOneBlock: string };
  s3: { sha256: string; writeMax: number; writes: number; parts: number };
  azure: { sha256: string; writeMax: number; writes: number; blocks: number };
  azureOneBlock: { sha256: string; writeMax: number; writes: number; blocks: number };
}

/** Request headers travel in writes of their own or in front of the first slice. */
const HEADER_ALLOWANCE = 16 * 1024;

describe('S3 and Azure Blob over HTTPS (s3rver and Azurite with a test certificate)', () => {
  it('uploads in parts and blocks, byte-identical, writing to the TLS socket a slice at a time', async () => {
    const certificate = await createTestCertificate();
    try {
      const report = JSON.parse(
        await runChildScript('test/providers/cloud-tls-child.ts', {
          NODE_EXTRA_CA_CERTS: certificate.certPath,
          FERRY_TLS_CERT: certificate.certPath,
          FERRY_TLS_KEY: certificate.keyPath,
        }),
      ) as ChildReport;
      assert.ok(report.endpoints.every((endpoint) => endpoint.startsWith('https://127.0.0.1:')));
      assert.equal(report.s3.sha256, report.expectedSha256.s3);
      assert.equal(report.s3.parts, 3, 'a multipart upload of three 5 MiB parts');
      assert.equal(report.azure.sha256, report.expectedSha256.azure);
      assert.equal(report.azure.blocks, 4, 'four staged blocks of 4 MiB, committed');
      assert.equal(report.azureOneBlock.sha256, report.expectedSha256.azureOneBlock);
      assert.equal(report.azureOneBlock.blocks, 0, 'one Put Blob, no staged blocks');
      const uploads = { s3: report.s3, azure: report.azure, 'azure, one block': report.azureOneBlock };
      for (const [provider, { writeMax, writes }] of Object.entries(uploads)) {
        assert.ok(writes > 0, `${provider}: no TLS socket writes were seen, so none could be measured`);
        assert.ok(
          writeMax <= TLS_WRITE_SLICE_BYTES + HEADER_ALLOWANCE,
          `${provider}: the largest TLS write was ${writeMax} bytes, more than a slice`,
        );
      }
    } finally {
      await certificate.remove();
    }
  });
});
