import { isFerryError } from '../../../shared/errors';
import { EXIT, UsageError } from '../exit-codes';
import { printable } from '../format';
import { sameConnection } from '../locations';
import { TIMEOUT_HELP } from '../timeouts';
import { runTransfer } from '../transfer';
import { withProvider, type Command } from './common';
import { finalTargetPath, OVERWRITE_HELP, parseSourceTarget, planCopy } from './cp';

export const mv: Command = {
  usage: `fileferry mv SOURCE TARGET [--overwrite POLICY] [--json] [--timeout SECONDS] [--idle-timeout SECONDS]

On one site, a rename (into TARGET when it is an existing folder). Between sites, a recursive copy; the
source is removed only when every file arrived (exit code 0).

  ${OVERWRITE_HELP}
  --json              one JSON object per event on stdout (for a copy between sites)
  ${TIMEOUT_HELP}`,
  async run(args, context) {
    const parsed = await parseSourceTarget(args, context, mv.usage);
    if (!parsed) return EXIT.ok;
    const { source, target, overwrite } = parsed;
    const plan = await planCopy(context, source, target, parsed.targetArg, true);

    if (sameConnection(source, target)) {
      if (overwrite !== 'overwrite' && overwrite !== 'skip') {
        throw new UsageError('On one site mv is a rename: --overwrite can only be overwrite or skip.');
      }
      const to = finalTargetPath(source.path, target.path, plan.intoFolder);
      await withProvider(context, source, async (provider) => {
        if (overwrite === 'skip') {
          const exists = await provider.stat(to).then(
            () => true,
            (error: unknown) => (isFerryError(error, 'NotFound') ? false : Promise.reject(error)),
          );
          if (exists) return;
        }
        await provider.rename(source.path, to);
      });
      return EXIT.ok;
    }

    const run = await runTransfer(
      context.connections,
      {
        source: { connection: source.ref, path: source.path },
        target: { connection: target.ref, path: target.path },
        intoFolder: plan.intoFolder,
        recursive: plan.sourceIsFolder,
        overwrite,
      },
      { json: parsed.json },
    );
    if (run.exitCode !== EXIT.ok) return run.exitCode;
    if (run.job.filesSkipped > 0) {
      // A skipped file was not moved: deleting the source would lose it.
      context.stderr.write(
        printable(`fileferry: ${run.job.filesSkipped} file(s) were skipped, so ${source.label} was kept.`) + '\n',
      );
      return EXIT.partial;
    }
    await withProvider(context, source, (provider) => provider.remove(source.path, { recursive: plan.sourceIsFolder }));
    return EXIT.ok;
  },
};
