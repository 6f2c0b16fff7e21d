// AI file summaries (issue 18): a bounded slice of any connection's file, summarised by AWS Bedrock or Azure
// OpenAI, with consent, cost, cache and fallback. See summarizer.ts.
export { Summarizer, consentKey, type SummaryOutcome, type SummaryTarget, type SummarizeOptions } from './summarizer';
export { SummaryStore, SUMMARIES_FILE } from './store';
export { modelChain, azureOpenAIConfig, AZURE_OPENAI_ENV, type ChainOptions } from './models/chain';
export { openSummarizer, type OpenedSummarizer } from './open';
export { AZURE_OPENAI_SECRET } from './azure-entra';
