// What a failed call says to a person: an API error's message (FerryErrors carry one they can act on), or the
// thrown value as text.
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
