// Envoy's StringMatcher (envoy.type.matcher.v3.StringMatcher) and RegexMatcher, on proto3 JSON.
// RE2 syntax is matched with JavaScript's RegExp, which agrees on the patterns Istio generates.
import type { JsonObject } from './proto';

export type StringMatch = (value: string) => boolean;

export class MatcherError extends Error {
  override name = 'MatcherError';
}

/** A safe_regex ({regex}) as a RegExp anchored to the whole value, as RE2's FullMatch. */
export function fullRegex(regexMatcher: JsonObject | undefined, flags = ''): RegExp {
  const source = typeof regexMatcher?.regex === 'string' ? regexMatcher.regex : '';
  try {
    return new RegExp(`^(?:${source})$`, flags);
  } catch (error) {
    throw new MatcherError(`invalid regex '${source}': ${(error as Error).message}`);
  }
}

export function stringMatcher(matcher: JsonObject): StringMatch {
  const ignoreCase = matcher.ignore_case === true;
  const fold = (value: string) => (ignoreCase ? value.toLowerCase() : value);
  if (typeof matcher.exact === 'string') {
    const expected = fold(matcher.exact);
    return (value) => fold(value) === expected;
  }
  if (typeof matcher.prefix === 'string') {
    const expected = fold(matcher.prefix);
    return (value) => fold(value).startsWith(expected);
  }
  if (typeof matcher.suffix === 'string') {
    const expected = fold(matcher.suffix);
    return (value) => fold(value).endsWith(expected);
  }
  if (typeof matcher.contains === 'string') {
    const expected = fold(matcher.contains);
    return (value) => fold(value).includes(expected);
  }
  if (matcher.safe_regex) {
    const regex = fullRegex(matcher.safe_regex as JsonObject, ignoreCase ? 'i' : '');
    return (value) => regex.test(value);
  }
  throw new MatcherError(`unsupported string matcher ${JSON.stringify(matcher)}`);
}
