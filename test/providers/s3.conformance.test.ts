// The provider conformance suite against s3rver (with the S3 operations it lacks filled in: test/helpers/s3rver.ts).
import { runConformance } from '../conformance/suite';
import { openS3Provider } from '../../main/core/providers/s3';
import { createLogger } from '../../main/core/log/logger';
import { startS3rver, type S3rverServer } from '../helpers/s3rver';
import { s3SpecSchema } from '../../shared/connection';

let server: S3rverServer;

runConformance({
  name: 's3 (s3rver)',
  async setup() {
    server = await startS3rver({ buckets: ['conformance'] });
    const provider = await openS3Provider(
      s3SpecSchema.parse(server.spec('conformance', { partSizeMiB: 5, uploadConcurrency: 4, maxConnections: 4 })),
      {
        secrets: async (field) => (field === 'secretAccessKey' ? server.secretAccessKey : undefined),
        log: createLogger({ test: 's3' }),
      },
    );
    await provider.mkdir('/root');
    return {
      provider,
      root: '/root',
      async stop() {
        await provider.close();
        await server.stop();
      },
    };
  },
  // ListObjectsV2 requests, from s3rver's request log.
  listRequests: async () =>
    (await server.requests()).filter((r) => r.method === 'GET' && /[?&]list-type=2(&|$)/.test(r.url)).length,
});
