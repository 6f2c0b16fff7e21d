// A JSON parser for the start of a file: the slice ends wherever maxBytes fell, so JSON.parse refuses it.
// This one parses what is there and closes every container still open at the cut, marking it incomplete (a
// value cut midway is left out); a real syntax error before the cut means the file is not JSON (undefined).

/** Nesting deeper than this is not worth outlining and would only risk the stack. */
const MAX_DEPTH = 256;

export interface PartialJson {
  value: unknown;
  /** Arrays and objects the cut left open. */
  incomplete: WeakSet<object>;
  /** For a top-level array: the character index just past its last complete element. */
  lastElementEnd: number;
}

/** The text ended inside a value. */
class EndOfInput extends Error {}
/** The text ended inside this container, which holds what came before the cut. */
class Cut extends EndOfInput {
  constructor(readonly partial: object) {
    super();
  }
}
class NotJson extends Error {}

// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings: that is the rule
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
/** Any quoted run, valid or not: when even this fails, the string runs to the cut. */
const LOOSE_STRING = /"(?:[^"\\]|\\[^])*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parsePartialJson(text: string): PartialJson | undefined {
  let i = 0;
  const incomplete = new WeakSet<object>();
  let lastElementEnd = 0;

  const cutOf = (container: object) => {
    incomplete.add(container);
    return new Cut(container);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    if (i >= text.length) throw new EndOfInput();
  };
  const literal = (word: string, result: unknown) => {
    const have = text.slice(i, i + word.length);
    if (have !== word) throw word.startsWith(have) && i + have.length >= text.length ? new EndOfInput() : new NotJson();
    i += word.length;
    return result;
  };
  const string = (): string => {
    STRING.lastIndex = i;
    const match = STRING.exec(text);
    if (!match) {
      LOOSE_STRING.lastIndex = i;
      throw LOOSE_STRING.test(text) ? new NotJson() : new EndOfInput();
    }
    i += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  /** A member of a container: a container cut inside is kept (as `cut`); a scalar cut midway throws. */
  const member = (depth: number): { value: unknown; cut: boolean } => {
    try {
      return { value: value(depth, false), cut: false };
    } catch (error) {
      if (error instanceof Cut) return { value: error.partial, cut: true };
      throw error;
    }
  };
  const value = (depth: number, top: boolean): unknown => {
    if (depth > MAX_DEPTH) throw new NotJson();
    space();
    const c = text[i]!;
    if (c === '{') {
      const object: Record<string, unknown> = {};
      i++;
      try {
        space();
        if (text[i] === '}') {
          i++;
          return object;
        }
        for (;;) {
          space();
          if (text[i] !== '"') throw new NotJson();
          const key = string();
          space();
          if (text[i] !== ':') throw new NotJson();
          i++;
          const { value: child, cut } = member(depth + 1);
          object[key] = child;
          if (cut) throw cutOf(object);
          space();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            return object;
          } else throw new NotJson();
        }
      } catch (error) {
        if (error instanceof EndOfInput && !(error instanceof Cut)) throw cutOf(object);
        throw error;
      }
    }
    if (c === '[') {
      const array: unknown[] = [];
      i++;
      try {
        space();
        if (text[i] === ']') {
          i++;
          return array;
        }
        for (;;) {
          const { value: child, cut } = member(depth + 1);
          array.push(child);
          if (cut) throw cutOf(array);
          if (top) lastElementEnd = i;
          space();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            return array;
          } else throw new NotJson();
        }
      } catch (error) {
        if (error instanceof EndOfInput && !(error instanceof Cut)) throw cutOf(array);
        throw error;
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (!number) throw new NotJson();
    i += number[0].length;
    // A number that runs to the cut may have lost digits.
    if (i >= text.length) throw new EndOfInput();
    return Number(number[0]);
  };

  try {
    return { value: value(0, true), incomplete, lastElementEnd };
  } catch (error) {
    if (error instanceof Cut) return { value: error.partial, incomplete, lastElementEnd };
    if (error instanceof EndOfInput || error instanceof NotJson) return undefined;
    throw error;
  }
}
