/** Plan comparison: `diffDigests` (pure) and its renderers. */
export * from "./types";
export { diffDigests, hasChanges, summarize, parseUrn, aliasUrns, aliasSuggestion, planResources, RENAME_SIMILARITY, type DiffOptions } from "./diff";
export { statefulKind, loweredSettings } from "./stateful";
export { renderTerminal, type TerminalOptions } from "./terminal";
export { renderMarkdown, renderMarkdownDetailed, GITHUB_COMMENT_LIMIT, DEFAULT_BUDGET, COMMENT_MARKER, LEVELS, MAX_LEVEL, type MarkdownOptions, type MarkdownResult } from "./markdown";
export { renderJson } from "./json";
