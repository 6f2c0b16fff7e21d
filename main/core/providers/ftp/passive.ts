// Passive mode only (active mode needs the server to connect to us: firewalls and NAT break it).
// EPSV first: its reply carries only a port, so the data connection always goes to the control peer.
// PASV as the fallback, strictly: its reply names a host, and a server (or a man in the middle) that names
// another host could aim our data connection anywhere — the "FTP bounce" family of attacks. basic-ftp's
// own check treats every loopback address as equal and its permissive mode silently substitutes hosts;
// FileFerry refuses any PASV host that is not exactly the control connection's peer.
import type { Socket } from 'node:net';
import { FTPError, type FTPContext, type FTPResponse } from 'basic-ftp';
import { connectForPassiveTransfer, parseEpsvResponse, parsePasvResponse } from 'basic-ftp/dist/transfer.js';
import { FerryError } from '../../../../shared/errors';

export type PassiveStrategy = (ftp: FTPContext) => Promise<FTPResponse>;

/**
 * One strategy per connection: it remembers whether this server refused EPSV. `dataSocket`, when it
 * returns a socket, supplies the (unconnected, plain) socket for the next data connection.
 */
export function strictPassiveMode(dataSocket: () => Socket | undefined = () => undefined): PassiveStrategy {
  let epsvRefused = false;
  return async (ftp) => {
    const controlHost = peerAddress(ftp);
    if (!epsvRefused) {
      try {
        const reply = await ftp.request('EPSV');
        await connectWith(ftp, dataSocket(), () =>
          connectForPassiveTransfer(controlHost, parseEpsvResponse(reply.message), ftp),
        );
        return reply;
      } catch (error) {
        // Only a refusal of the command means "no EPSV here"; anything else is a real failure.
        if (!(error instanceof FTPError) || error.code < 500) throw error;
        epsvRefused = true;
      }
    }
    const reply = await ftp.request('PASV');
    const target = parsePasvResponse(reply.message);
    if (target.host !== controlHost) {
      throw new FerryError(
        'Protocol',
        `The FTP server asked for a data connection to ${target.host}, but you are connected to ${controlHost}. ` +
          'FileFerry refuses this because it can be used to attack other computers. ' +
          "Ask the server's administrator to fix its passive-mode address (or enable EPSV).",
        { details: { pasvHost: target.host, controlHost } },
      );
    }
    await connectWith(ftp, dataSocket(), () => connectForPassiveTransfer(controlHost, target.port, ftp));
    return reply;
  };
}

/**
 * basic-ftp's connectForPassiveTransfer takes its socket from the context's _newSocket(), synchronously at
 * its start; swapping that method for the one call hands it ours (basic-ftp is pinned to an exact version).
 */
function connectWith(ftp: FTPContext, socket: Socket | undefined, connect: () => Promise<void>): Promise<void> {
  if (!socket) return connect();
  const context = ftp as unknown as { _newSocket: () => Socket };
  const own = Object.getOwnPropertyDescriptor(context, '_newSocket');
  context._newSocket = () => socket;
  try {
    return connect();
  } finally {
    if (own) Object.defineProperty(context, '_newSocket', own);
    else delete (context as Partial<typeof context>)._newSocket;
  }
}

function peerAddress(ftp: FTPContext): string {
  const address = ftp.socket.remoteAddress;
  if (!address) throw new Error('Client is closed because the control connection is gone.');
  // A dual-stack socket reports IPv4 peers as "::ffff:1.2.3.4"; PASV replies use the plain form.
  return address.replace(/^::ffff:/i, '');
}
