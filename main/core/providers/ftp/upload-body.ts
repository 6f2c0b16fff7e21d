// The body of an upload: the Readable basic-ftp pipes into the data connection. It asks the source for the
// next chunk only once the previous one has left the process: out of this stream's buffer and out of the
// data socket's queue (its write finished, so neither Node nor libuv holds it any more). A source may
// therefore reuse a chunk's memory once asked for the next (Capabilities.writeReleasesChunks), which spares
// the local disk a fresh 1 MiB allocation per chunk and the garbage collections that follow them.
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';

export function uploadBody(source: AsyncIterable<Uint8Array>, dataSocket: () => Socket | undefined): Readable {
  const iterator = source[Symbol.asyncIterator]();
  let pulling = false;
  const body: Readable = new Readable({
    read() {
      if (pulling) return;
      pulling = true;
      pull().then(
        (chunk) => {
          pulling = false;
          body.push(chunk ?? null);
        },
        (error: unknown) => {
          pulling = false;
          body.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
    destroy(error, callback) {
      // Stops the source early, so its finally blocks close files and release connections. Not awaited:
      // with a chunk request still pending, an async generator runs return() only after it settles.
      Promise.resolve(iterator.return?.()).catch(() => undefined);
      callback(error);
    },
  });

  async function pull(): Promise<Uint8Array | undefined> {
    await released(body, dataSocket());
    for (;;) {
      const next = await iterator.next();
      if (next.done) return undefined;
      // An empty chunk pushed into a byte stream would not ask for more: skip it.
      if (next.value.byteLength > 0) return next.value;
    }
  }
  return body;
}

/** Resolves once nothing this body pushed is still buffered, here or in the socket (or the socket is gone). */
async function released(body: Readable, socket: Socket | undefined): Promise<void> {
  const busy = () =>
    !body.destroyed &&
    !(socket?.destroyed ?? false) &&
    (body.readableLength > 0 || (socket !== undefined && socket.writableLength > 0));
  while (busy()) {
    if (socket?.writableNeedDrain) await drainOrClose(socket);
    // The last write is completing (its callback runs on the next tick) or the pipe is about to resume.
    else await new Promise((resolve) => setImmediate(resolve));
  }
}

function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
