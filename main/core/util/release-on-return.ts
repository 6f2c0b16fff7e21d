// An async generator runs its finally block only once it has started: return() on a generator that was never
// asked for a value skips it. A provider's read() opens what it reads from (a file handle, a pooled FTP
// connection) before it hands out its generator; a caller that gives up before the first byte (its target
// refused the write) would leave that open. This wraps such a generator so that a return() before the first
// next() releases it too.
export function releaseOnReturn<T>(
  generator: AsyncGenerator<T>,
  release: () => void | Promise<void>,
): AsyncGenerator<T> {
  let started = false;
  let released = false;
  const wrapped: AsyncGenerator<T> = {
    next: (...args) => {
      started = true;
      return generator.next(...args);
    },
    return: async (value) => {
      if (!started && !released) {
        released = true;
        await release();
      }
      return generator.return(value);
    },
    throw: (error) => {
      started = true;
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  return wrapped;
}
