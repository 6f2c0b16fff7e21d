// A port on 127.0.0.1 where a TCP connect never completes, as with a host that drops packets, without
// contacting any other address. A listener in a stopped process never accepts, so its accept queue fills;
// Linux then drops further SYNs and the connecting side keeps retransmitting until its own timeout.
// (Node accepts every connection as soon as it can and clamps a backlog of 0 to 511, so the listener is a
// child process with backlog 1, stopped with SIGSTOP once it listens.)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface UnansweredPort {
  port: number;
  stop(): Promise<void>;
}

const LISTENER = `
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => console.log(server.address().port));
`;

/** Whether a connect to the port completes (or fails) within `ms`; false means it hangs. */
async function connectSettles(port: number, ms: number, keep: Socket[]): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port });
  keep.push(socket);
  socket.on('error', () => {});
  const settled = Promise.race([once(socket, 'connect'), once(socket, 'error')]).then(() => true);
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms));
  return Promise.race([settled, timer]);
}

export async function startUnansweredPort(): Promise<UnansweredPort> {
  const child = spawn(process.execPath, ['-e', LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  child.kill('SIGSTOP');
  const fillers: Socket[] = [];
  const stop = async () => {
    for (const socket of fillers) socket.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  };
  try {
    // Fill the accept queue (backlog + 1 connections on Linux) until a connect stays pending: that proves
    // the next one, the provider's, will hang too.
    for (let attempt = 0; attempt < 8; attempt++) {
      if (!(await connectSettles(port, 300, fillers))) return { port, stop };
    }
    throw new Error(`connections to 127.0.0.1:${port} keep completing; the accept queue never filled`);
  } catch (error) {
    await stop();
    throw error;
  }
}
