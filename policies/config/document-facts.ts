/**
 * Facts a platform's document states that ComplianceFacts (model/compliance.ts) does not carry yet.
 * Kept in code beside their source, like ComplianceFacts: editing a config file cannot loosen them
 * (tests/policies/config.test.ts regenerates the files and compares).
 */
export interface DocumentFacts {
  /** The document asks for Redis persistence. */
  persistenceRequired: boolean;
  /** Namespaces of the shared stack that may run privileged pods, each for a stated reason. */
  privilegedNamespaces: string[];
  sources: Record<string, string>;
}

const NONE: DocumentFacts = { persistenceRequired: false, privilegedNamespaces: [], sources: {} };

export const DOCUMENT_FACTS: Record<string, DocumentFacts> = {
  diaspomoney: {
    persistenceRequired: true,
    privilegedNamespaces: ["monitoring-node-exporter"],
    sources: {
      persistenceRequired: 'diaspomoney.md § Maintenance / Backup ("Redis - Persistence AOF")',
      privilegedNamespaces:
        'diaspomoney.md § Métriques Infrastructure ("CPU Usage < 70%", "Memory Usage < 80%", "Disk Usage < 85%") needs node metrics; prometheus-node-exporter reads them with hostNetwork, hostPID and read-only hostPath mounts, alone in its namespace',
    },
  },
  "crm-courtier": {
    // "Redis Cluster (3 nodes)" holds the queues: § Alertes Critiques "Queue depth > 100 jobs".
    persistenceRequired: true,
    privilegedNamespaces: ["monitoring-node-exporter"],
    sources: {
      persistenceRequired: 'crm-courtier.md § 04 Scaling ("Redis Cluster (3 nodes)") holds the priority queues (§ Alertes Critiques "Queue depth > 100 jobs"): a restart must not lose jobs',
      privilegedNamespaces:
        'crm-courtier.md § Alertes Critiques ("CPU/RAM/Disk > 80%") needs node metrics; prometheus-node-exporter reads them with hostNetwork, hostPID and read-only hostPath mounts, alone in its namespace',
    },
  },
  shareyoursales: {
    // "Redis Cache (Hot Data)": a cache; the document asks for no persistence.
    persistenceRequired: false,
    privilegedNamespaces: ["monitoring-node-exporter"],
    sources: {
      persistenceRequired: 'shareyoursales.md § Architecture Base de Données ("Redis Cache (Hot Data) - Sessions, Tokens, Counters, Leaderboards"): a cache, no persistence asked',
      privilegedNamespaces:
        'shareyoursales.md § Absence de Logging/Monitoring ("Pas de métriques de performance") and § Monitoring & DevOps ("Metrics: Prometheus + Grafana") need node metrics; prometheus-node-exporter reads them with hostNetwork, hostPID and read-only hostPath mounts, alone in its namespace',
    },
  },
};

export function documentFacts(platform: string): DocumentFacts {
  return DOCUMENT_FACTS[platform] ?? NONE;
}
