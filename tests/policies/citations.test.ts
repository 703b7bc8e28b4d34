/**
 * Citations reach the user: a violation of a rule enforcing a document figure names the section the
 * figure comes from (ComplianceFacts.sources, generated into the stack's config), and so does the
 * preview's policy summary. A rule whose facts carry no citation says nothing more.
 */
import { describe, expect, it } from "vitest";
import { formatPolicyReport } from "../../engine/policy/format";
import { citationOf } from "../../policies/lib/rule";
import { mutate, PROD_FACTS, runRule } from "./helpers";
import { sqlInstance } from "./specs/gcp";

const RETENTION_SOURCE = 'diaspomoney.md § Backup ("MongoDB - Backup quotidien"): 30 days in prod';
const tooFewBackups = mutate(sqlInstance, { "settings.backupConfiguration.backupRetentionSettings.retainedBackups": 7 });

describe("citations", () => {
  it("a violation of a fact-enforcing rule names the figure and the document section behind it", async () => {
    const run = await runRule("gcp-sql-instance-require-backup-retention", [tooFewBackups], { sources: { minBackupRetentionDays: RETENTION_SOURCE } });
    expect(run.results).toHaveLength(1);
    expect(run.results[0].message).toContain(`[minBackupRetentionDays 30: ${RETENTION_SOURCE}]`);
  });

  it("the policy summary lists each figure broken, its rules and its source", async () => {
    const run = await runRule("gcp-sql-instance-require-backup-retention", [tooFewBackups], { sources: { minBackupRetentionDays: RETENTION_SOURCE } });
    expect(run.citations).toEqual([{ fact: "minBackupRetentionDays", value: 30, source: RETENTION_SOURCE, policies: ["gcp-sql-instance-require-backup-retention"] }]);
    const report = formatPolicyReport(run);
    expect(report).toContain("SOURCES (1)");
    expect(report).toContain(`  minBackupRetentionDays 30 (gcp-sql-instance-require-backup-retention): ${RETENTION_SOURCE}`);
  });

  it("without a citation in the config, the message is the rule's own and the summary has no sources", async () => {
    const run = await runRule("gcp-sql-instance-require-backup-retention", [tooFewBackups]);
    expect(run.results[0].message).not.toContain("[minBackupRetentionDays");
    expect(run.citations).toEqual([]);
    expect(formatPolicyReport(run)).not.toContain("SOURCES");
  });

  it("an exemption list is not a figure: privilegedNamespaces is never cited", () => {
    const facts = { ...PROD_FACTS, sources: { privilegedNamespaces: "diaspomoney.md § Métriques", allowedLocations: "diaspomoney.md § Conformité" } };
    expect(citationOf(facts, ["privilegedNamespaces"])).toBe("");
    expect(citationOf(facts, ["privilegedNamespaces", "allowedLocations"])).toBe(' [allowedLocations ["europe-west6","EU"]: diaspomoney.md § Conformité]');
  });
});
