/**
 * The custom search attributes of tradeflow, by name and server type, read from the one list in `src/names.ts`
 * (`SEARCH_ATTRIBUTE_TYPES`, which the typed keys are built from too).
 *
 * The dev server (`devServerArgs`), test support, `.ci/run` and `deploy/register-search-attributes.sh` all register
 * exactly these.
 */
import type { SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_TYPES, type SearchAttributeName } from '../names';

export type { SearchAttributeName } from '../names';

/** The server's name of each SDK search-attribute type, as `--search-attribute NAME=Type` and the operator CLI take it. */
const SERVER_TYPE_NAMES = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
} as const satisfies Record<SearchAttributeType, string>;

type ServerTypeOf<N extends SearchAttributeName> = (typeof SERVER_TYPE_NAMES)[(typeof SEARCH_ATTRIBUTE_TYPES)[N]];

/** Each search attribute's server type, by name, in declaration order. */
export const SEARCH_ATTRIBUTES = Object.fromEntries(
  Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, SERVER_TYPE_NAMES[type]]),
) as { readonly [N in SearchAttributeName]: ServerTypeOf<N> };

/** Server-side type names that `temporal server start-dev --search-attribute` and the operator CLI accept. */
export type SearchAttributeServerType = (typeof SEARCH_ATTRIBUTES)[SearchAttributeName];

/** `Name=Type` pairs, in declaration order, for `--search-attribute` flags. */
export function searchAttributeFlags(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`);
}
