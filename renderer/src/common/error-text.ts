// What a failed call says to a person: an API error's message (FerryErrors carry one they can act on), the
// message of an error that came as data (an event's SerializedError), or the thrown value as text.
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
    return error.message;
  return String(error);
}
