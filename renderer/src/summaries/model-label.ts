// How the panel names who wrote a summary and what it may cost: "Claude Haiku 4.5 on AWS Bedrock" rather than
// a Bedrock model id (global.anthropic.claude-haiku-4-5-20251001-v1:0), which the tooltip still shows; an Azure
// deployment by its own name, since the person chose that name.
import { SUMMARY_SERVICE_NAMES, type SummaryService } from '../../../shared/summaries';

const FAMILIES: Record<string, string> = { haiku: 'Haiku', sonnet: 'Sonnet', opus: 'Opus' };

/**
 * Claude's ids put the version after the family since Claude 4 (claude-sonnet-4-5-2025…) and before it until
 * then (claude-3-5-haiku-2024…); a date follows either. A single digit is a version, eight are a date.
 */
const CLAUDE = /claude-(?:(\d)-(?:(\d)-)?)?(haiku|sonnet|opus)(?:-(\d)(?!\d)(?:-(\d)(?!\d))?)?/i;

export function modelName(modelId: string): string {
  const match = CLAUDE.exec(modelId);
  if (!match) return modelId;
  const [, oldMajor, oldMinor, family, major, minor] = match;
  const version = major ? [major, minor] : [oldMajor, oldMinor];
  const number = version.filter((part) => part !== undefined).join('.');
  return `Claude ${FAMILIES[family!.toLowerCase()]}${number ? ` ${number}` : ''}`;
}

/** "Claude Haiku 4.5 on AWS Bedrock". */
export function modelLabel(service: SummaryService, modelId: string): string {
  return `${modelName(modelId)} on ${SUMMARY_SERVICE_NAMES[service]}`;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 });
const usdCents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** A summary costs a fraction of a cent: two significant digits say more than "$0.00". */
export function formatUsd(amount: number): string {
  return amount >= 1 ? usdCents.format(amount) : usd.format(amount);
}
