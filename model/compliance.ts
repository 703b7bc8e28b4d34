/**
 * The compliance facts a platform's document states, and the per-stack facts the policy pack reads
 * from its config. Owned here, below stacks/ and policies/: a platform states them
 * (stacks/<platform>.ts `compliance()`), policies/config/generate.ts writes them into
 * policies/config/<stack>.json, and the pack's rules enforce them and cite their sources.
 */
import type { StackEnv } from "./envs";

/** The figures a platform's document states, each of which a rule enforces. */
export const COMPLIANCE_FACT_KEYS = ["allowedLocations", "minBackupRetentionDays", "maxBackupIntervalHours", "pointInTimeRecoveryRequired"] as const;
export type ComplianceFactKey = (typeof COMPLIANCE_FACT_KEYS)[number];

/**
 * Facts a platform's document states that the policy pack enforces. They live in code, next to
 * the document reference, not in stack config: editing a stack file must not loosen them.
 */
export interface ComplianceFacts {
  /** Regions (or multi-regions such as `EU`) where located resources may live. */
  allowedLocations: string[];
  /** Minimum days a database backup or a backup bucket keeps data. */
  minBackupRetentionDays: number;
  /** Longest allowed interval between two backups of a stateful service, in hours. */
  maxBackupIntervalHours: number;
  /** The document states an RPO (or the env needs point-in-time recovery): PITR / binlogs required. */
  pointInTimeRecoveryRequired: boolean;
  /**
   * The RPO the document states, in minutes: the longest window of writes a data service may lose,
   * which its log shipping (WAL archiving, binlog archiving, PITR logs) or, without any, its backup
   * interval must stay within. null (or absent) when the document states no RPO: nothing checks it.
   */
  maxRpoMinutes?: number | null;
  /**
   * The stack's data stays in its own GCP project(s): no resource of the stack names another
   * project (an IAM member's service account, a `projects/<p>/…` path, a replica's master, a push
   * endpoint, a log sink's destination, a KMS key). A platform whose document separates its
   * instances' data (cryptocare.md § 7.2: a dedicated German instance beside the Swiss one) turns
   * it on; absent or false, nothing checks it, since env stacks of other platforms legitimately
   * reach a shared project (their foundation stack's cluster and registry).
   * policies/residency/gcp-project-deny-foreign-data-reference.ts enforces it.
   */
  dataIsolation?: boolean;
  /**
   * Where each figure comes from (`quickfund.md § Backups ("Fréquence: Tous les 2 jours")`): a
   * violation of the rule enforcing the figure, and the preview summary, name it.
   */
  sources: Record<ComplianceFactKey, string> & { maxRpoMinutes?: string; dataIsolation?: string };
}

/** The facts a stack's policy config carries (generated from the platform's ComplianceFacts). */
export interface StackFacts {
  stack: string;
  platform: string;
  env: StackEnv;
  allowedLocations: string[];
  minBackupRetentionDays: number;
  maxBackupIntervalHours: number;
  pointInTimeRecoveryRequired: boolean;
  /** The stated RPO in minutes (ComplianceFacts.maxRpoMinutes); null when the document states none. */
  maxRpoMinutes?: number | null;
  /** The document asks for cache/queue persistence (e.g. diaspomoney.md § Backup: "Redis - Persistence AOF"). */
  persistenceRequired: boolean;
  /**
   * Namespaces that may enforce the `privileged` Pod Security level, because a workload the
   * document needs cannot run otherwise (node-exporter reads host metrics). Held in code, not in
   * stack config or labels: nobody grants it to themselves by editing a stack.
   */
  privilegedNamespaces: string[];
  /** The stack's data stays in its own project(s) (ComplianceFacts.dataIsolation); absent: not checked. */
  dataIsolation?: boolean;
  /** The document section behind each fact the rule reads (fact name → citation); absent facts have no citation. */
  sources: Partial<Record<FactKey | SwitchKey, string>>;
}

/**
 * Label of a CronJob that rotates a MariaDB's binary log (`FLUSH BINARY LOGS`) on a schedule: the
 * name of the MariaDB it rotates, in the MariaDB's namespace. mariadb-operator archives closed
 * binary logs only (v26.6.0 pkg/binlog/archiver.go skips the active one) and MariaDB closes a
 * binary log at max_binlog_size, not on a clock: without a scheduled rotation, a quiet shard keeps
 * its last writes unarchived for as long as it stays quiet. platform-data-service-require-rpo-log-shipping
 * reads the schedule from this CronJob (or from a scheduled SqlJob of the MariaDB).
 */
export const BINLOG_ROTATION_TARGET_LABEL = "backup.platform/binlog-rotation-for";

/**
 * An opt-in switch rather than a figure: the one rule that reads it declares it in its own config
 * schema and cites it itself (as the budget rule does with its cost facts), so that the rules which
 * declare `facts` and the schema table of every fact (policies/lib/rule.ts) need not know it.
 */
export type SwitchKey = "dataIsolation";

/** A fact a rule may read from its config (the stack identity, the citations and the switches are not facts). */
export type FactKey = Exclude<keyof StackFacts, "stack" | "platform" | "env" | "sources" | SwitchKey>;
