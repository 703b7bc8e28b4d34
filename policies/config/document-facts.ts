/**
 * Facts a platform's document states that ComplianceFacts (stacks/platform.ts) does not carry yet.
 * Kept in code beside their source, like ComplianceFacts: editing a config file cannot loosen them
 * (tests/policies/config.test.ts regenerates the files and compares).
 */
export interface DocumentFacts {
  /** The document asks for Redis persistence. */
  persistenceRequired: boolean;
  sources: Record<string, string>;
}

const NONE: DocumentFacts = { persistenceRequired: false, sources: {} };

export const DOCUMENT_FACTS: Record<string, DocumentFacts> = {
  diaspomoney: { persistenceRequired: true, sources: { persistenceRequired: 'diaspomoney.md § Maintenance / Backup ("Redis - Persistence AOF")' } },
};

export function documentFacts(platform: string): DocumentFacts {
  return DOCUMENT_FACTS[platform] ?? NONE;
}
