// Who may call the API over IPC: the top frame of one of our own windows, showing our own page. An iframe
// (even one of ours), another window, or our window after it was somehow navigated elsewhere gets nothing —
// the check runs on every call, before the service sees its argument.

/** The parts of an IPC event (IpcMainInvokeEvent / IpcMainEvent) the check reads. */
export interface SenderEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface TrustedSenders {
  /** The webContents ids of our own windows. */
  isOwnContents(id: number): boolean;
  /** Origins our page is served from (app://fileferry; the dev server's when unpackaged). */
  origins: readonly string[];
}

/**
 * The origin of a URL as "scheme://host[:port]". Node's URL gives "null" as the origin of schemes it does
 * not know as special (app:), though Chromium treats our registered standard scheme as having a real one.
 */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an IPC message comes from our own window's top frame showing our own page. */
export function isTrustedSender(event: SenderEvent, trusted: TrustedSenders): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // navigated or destroyed since it sent
  if (frame.parent !== null) return false; // a subframe
  if (!trusted.isOwnContents(event.sender.id)) return false;
  const origin = originOf(frame.url);
  return origin !== undefined && trusted.origins.includes(origin);
}
