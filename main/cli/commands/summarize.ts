// `fileferry summarize ADDRESS`: a summary of one file on any connection, streamed to stdout as the model writes
// it. Only a bounded slice of the file is read; what will be sent (bytes, tokens, estimated cost, to whom) is
// shown and agreed to first — on a terminal by a question, in a script by --yes — and the agreement is
// remembered for the connection. Everything but the summary itself goes to stderr, so stdout can be piped.
import { createInterface } from 'node:readline/promises';
import { SUMMARY_SERVICE_NAMES, type SummaryPreview, type SummaryResult } from '../../../shared/summaries';
import { openSummarizer } from '../../core/ai';
import { dataDir } from '../../core/app-paths';
import { createLogger } from '../../core/log/logger';
import { cliEntraInteraction } from '../entra-sign-in';
import { EXIT, UsageError } from '../exit-codes';
import { formatBytes, printable } from '../format';
import { parseAddressArg } from '../locations';
import { TIMEOUT_HELP } from '../timeouts';
import { parseCommandArgs, withProvider, type Command } from './common';

const MAX_BYTES_LIMIT = 4 * 1024 * 1024;

export const summarize: Command = {
  usage: `fileferry summarize ADDRESS [--model ID] [--region R] [--max-bytes N] [--yes] [--json]

Summarises one file with AWS Bedrock (Claude), or Azure OpenAI when Bedrock is not set up, throttled or
unavailable. Only the start of the file is read (256 KiB unless --max-bytes or the settings say otherwise);
PDF and DOCX are read whole up to a size limit; archives, media and other binaries get an answer from
their type, size and dates alone, and nothing is sent. The summary streams to stdout as it is written.

Before the first summary of a file from a connection, FileFerry shows what will be sent and what it may
cost, and asks; the answer is remembered for that connection. Without a terminal, --yes is that answer
(without it nothing is sent and the exit code is 2). A file that has not changed is answered from the cache.

  --model ID          a Bedrock model id or inference profile (default: the settings', Claude Haiku 4.5)
  --region R          the Bedrock region (default: AWS_REGION, the profile's, else us-east-1)
  --max-bytes N       read at most N bytes of a text file (1024 to ${MAX_BYTES_LIMIT})
  --yes               agree to send the file's content (remembered for the connection)
  --json              one JSON object at the end: {preview, result} (nothing streams)
  ${TIMEOUT_HELP}

AWS credentials come from the standard chain (AWS_PROFILE, AWS_ACCESS_KEY_ID…, SSO, instance roles) and
the SDK's variables apply (AWS_REGION, AWS_ENDPOINT_URL_BEDROCK_RUNTIME). Azure OpenAI: AZURE_OPENAI_ENDPOINT,
AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT (or the app's Settings › Summaries).`,
  async run(args, context) {
    const { values, positionals, help } = parseCommandArgs(
      args,
      {
        model: { type: 'string' },
        region: { type: 'string' },
        'max-bytes': { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 1, names: 'one ADDRESS (a file)' },
      context,
    );
    if (help) return (context.stdout.write(summarize.usage + '\n'), EXIT.ok);
    const maxBytes = values['max-bytes'] === undefined ? undefined : parseMaxBytes(values['max-bytes']);
    for (const [name, value] of [
      ['--model', values.model],
      ['--region', values.region],
    ] as const) {
      if (value !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/.test(value))
        throw new UsageError(`${name} takes a name of letters, digits and . _ : @ - (got "${printable(value)}").`);
    }
    const location = await context.connections.resolve(parseAddressArg(positionals[0]!));
    const log = createLogger({ component: 'summaries' });
    const { connectionStore } = await import('../../core/connections');
    const opened = await openSummarizer({
      dataDir: dataDir(),
      log,
      credentials: async () => (await connectionStore()).credentials,
      // An Entra ID sign-in to Azure OpenAI shows its device code here; without a terminal only a cached one works.
      ...(process.stderr.isTTY ? { entra: cliEntraInteraction(process.env, context.stderr) } : {}),
      chain: {
        ...(values.model ? { model: values.model } : {}),
        ...(values.region ? { region: values.region } : {}),
      },
    });
    if (opened.setAside)
      context.stderr.write(`fileferry: the summary cache could not be read; it was moved to ${opened.setAside}.\n`);
    // Ctrl-C stops the request (the service stops writing and bills no more) before the process ends.
    const controller = new AbortController();
    const interrupt = () => controller.abort();
    process.once('SIGINT', interrupt);
    const stderr = context.stderr;
    const stdout = context.stdout;
    let streamed = false;
    try {
      const outcome = await withProvider(context, location, (provider) =>
        opened.summarizer.summarize(
          { provider, ref: location.ref, path: location.path, savedName: context.connections.savedName },
          {
            consent: values.yes === true,
            onFallback: (reason) => stderr.write(printable(`fileferry: ${reason}.`) + '\n'),
            signal: controller.signal,
            ...(maxBytes !== undefined ? { maxBytes } : {}),
            ...(values.json || !process.stdin.isTTY ? {} : { confirm: (preview) => askConsent(preview, stderr) }),
            ...(values.json
              ? {}
              : {
                  onText: (delta: string) => {
                    streamed = true;
                    stdout.write(printable(delta, { lines: true }));
                  },
                }),
          },
        ),
      );
      if (outcome.state === 'needs-consent') {
        stderr.write(describePreview(outcome.preview));
        stderr.write(
          process.stdin.isTTY && !values.json
            ? 'fileferry: nothing was sent.\n'
            : 'fileferry: nothing was sent: summaries send file content to an AI service, which needs your agreement. Run again with --yes to agree for this connection.\n',
        );
        return EXIT.usage;
      }
      const { result, preview } = outcome;
      if (values.json) {
        stdout.write(JSON.stringify({ ...(preview ? { preview } : {}), result }) + '\n');
        return EXIT.ok;
      }
      if (!streamed) stdout.write(printable(result.text, { lines: true }));
      stdout.write('\n');
      stderr.write(footer(result));
      return EXIT.ok;
    } catch (error) {
      if (controller.signal.aborted) {
        if (streamed) stdout.write('\n');
        stderr.write('fileferry: the summary was cancelled.\n');
        return EXIT.interrupted;
      }
      throw error;
    } finally {
      process.off('SIGINT', interrupt);
      opened.close();
    }
  },
};

function parseMaxBytes(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1024 || value > MAX_BYTES_LIMIT)
    throw new UsageError(
      `--max-bytes takes a whole number of bytes from 1024 to ${MAX_BYTES_LIMIT} (got "${printable(text)}").`,
    );
  return value;
}

/** What will be sent, for the consent question (and for the refusal without one). */
export function describePreview(preview: SummaryPreview): string {
  const cost =
    preview.estimatedCostUsd === undefined
      ? 'cost unknown (no price for this model in the settings)'
      : `about $${preview.estimatedCostUsd.toFixed(4)} at most`;
  const fallback = preview.fallback
    ? `\n  If it cannot answer: ${SUMMARY_SERVICE_NAMES[preview.fallback.service]} (${preview.fallback.model})`
    : '';
  return (
    printable(
      `Summarising ${preview.address} sends its content to ${SUMMARY_SERVICE_NAMES[preview.service]} (${preview.model}):\n` +
        `  ${preview.description}; ${formatBytes(preview.bytesRead)} read${preview.truncated ? ' (the start of the file)' : ''}\n` +
        `  ${formatBytes(preview.bytesToSend)} to send, about ${preview.estimatedInputTokens} input tokens, ${cost}` +
        fallback,
      { lines: true },
    ) + '\n'
  );
}

async function askConsent(preview: SummaryPreview, stderr: NodeJS.WriteStream): Promise<boolean> {
  stderr.write(describePreview(preview));
  const rl = createInterface({ input: process.stdin, output: stderr, terminal: true });
  try {
    const reply = await rl.question('Send it, and allow summaries of this connection from now on? [y/N] ');
    return /^y(es)?$/i.test(reply.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

function footer(result: SummaryResult): string {
  const lines: string[] = [];
  if (result.metadataOnly)
    lines.push('fileferry: nothing was sent (a file of this type is described from its type and size).');
  else if (result.cached)
    lines.push(
      `fileferry: from the cache (written ${new Date(result.createdAt).toISOString()} by ${SUMMARY_SERVICE_NAMES[result.service!]} ${result.model}); nothing was sent.`,
    );
  else
    lines.push(
      `fileferry: written by ${SUMMARY_SERVICE_NAMES[result.service!]} ${result.model}; ${formatBytes(result.bytesSent)} sent.`,
    );
  return printable(lines.join('\n'), { lines: true }) + '\n';
}
