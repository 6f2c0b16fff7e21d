// The region an AWS SDK client resolves on its own (AWS_REGION, the profile's region in ~/.aws/config), asked of
// a throwaway client of the caller's service, else us-east-1: S3's own default, and where Bedrock's Claude
// models are most widely enabled.
export const FALLBACK_REGION = 'us-east-1';

interface RegionProbe {
  config: { region: () => Promise<string> };
  destroy(): void;
}

export async function sdkRegion(probe: RegionProbe): Promise<string> {
  try {
    return await probe.config.region();
  } catch {
    return FALLBACK_REGION;
  } finally {
    probe.destroy();
  }
}
