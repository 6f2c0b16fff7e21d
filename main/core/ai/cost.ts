// What a summary will cost, before it is asked for: input tokens estimated from the text (about four
// characters a token for English prose with these models' tokenizers; code and non-Latin text take more, so
// the estimate rounds up), priced from the settings' table together with the longest answer allowed.
import type { ModelPrice } from '../../../shared/summaries';

const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The price whose key is the longest part of the model id found in it; undefined when none matches. */
export function priceFor(model: string, prices: Readonly<Record<string, ModelPrice>>): ModelPrice | undefined {
  const id = model.toLowerCase();
  let best: { key: string; price: ModelPrice } | undefined;
  for (const [key, price] of Object.entries(prices)) {
    if (id.includes(key.toLowerCase()) && key.length > (best?.key.length ?? 0)) best = { key, price };
  }
  return best?.price;
}

/** US dollars for the input plus an answer of maxOutputTokens: what the person agrees to at most. */
export function estimateCostUsd(
  inputTokens: number,
  maxOutputTokens: number,
  price: ModelPrice | undefined,
): number | undefined {
  if (!price) return undefined;
  return (inputTokens * price.inputPerMillion + maxOutputTokens * price.outputPerMillion) / 1_000_000;
}
