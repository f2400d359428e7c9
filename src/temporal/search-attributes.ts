/**
 * The custom search attributes of tradeflow, by name and server type.
 *
 * The one source of truth: the dev server (`devServerArgs`), test support, `.ci/run` and
 * `deploy/register-search-attributes.sh` all register exactly these; `src/names.ts` builds typed keys from it.
 */
export const SEARCH_ATTRIBUTES = {
  TradingDate: 'Keyword',
  TradingAccount: 'Keyword',
  TradingMode: 'Keyword',
  RunState: 'Keyword',
} as const;

/** A search-attribute name of tradeflow. */
export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** Server-side type names that `temporal server start-dev --search-attribute` and the operator CLI accept. */
export type SearchAttributeServerType = (typeof SEARCH_ATTRIBUTES)[SearchAttributeName];

/** `Name=Type` pairs, in declaration order, for `--search-attribute` flags. */
export function searchAttributeFlags(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`);
}
