// Rounds of two tools on the same case. The order alternates from round to round, so that neither tool
// always runs right after the other's disk writes or the server's clean-up of them.

/** Runs FileFerry's measurement and the peer's, FileFerry first in even rounds and the peer first in odd. */
export async function inTurn(
  round: number,
  fileFerry: () => Promise<unknown>,
  peer: () => Promise<unknown>,
): Promise<void> {
  const [first, second] = round % 2 === 0 ? [fileFerry, peer] : [peer, fileFerry];
  await first();
  await second();
}
