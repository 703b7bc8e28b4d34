/**
 * `npm run bench -- --tenants N`: the argument parsing and the scratch root it previews. No preview
 * runs here (the bench's timings are reported, never asserted); the stack file written is read back
 * with the loader the preview uses, so what the bench measures is what `preview --root` would see.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CliError, EXIT } from "../engine/cli/args";
import { FIRMS_KEY, formatTenantTable, main, MAX_TENANTS, parseBenchArgs, planFigures, syntheticFirms, TENANT_STACK, withMarginals, writeTenantRoot } from "../engine/cli/bench";
import { PROJECT_ROOT } from "../engine/project";
import { loadStackFile } from "../stacks/stack-file";

function usageError(argv: string[]): CliError {
  try {
    parseBenchArgs(argv);
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
}

describe("bench --tenants: arguments", () => {
  it("leaves the plain bench as it was: no tenants, 5 runs", () => {
    expect(parseBenchArgs([])).toEqual({ runs: 5 });
    expect(parseBenchArgs(["--runs", "3"])).toEqual({ runs: 3 });
  });

  it("takes a comma-separated list, repeated flags, and sorts and dedupes the counts", () => {
    expect(parseBenchArgs(["--tenants", "20,50,100,200"]).tenants).toEqual([20, 50, 100, 200]);
    expect(parseBenchArgs(["--tenants", "200", "--tenants=50,20", "--tenants", "50", "--runs", "1"])).toEqual({ runs: 1, tenants: [20, 50, 200] });
    expect(parseBenchArgs(["--tenants", " 7 , 3"]).tenants).toEqual([3, 7]);
  });

  it.each([["0"], ["-3"], ["abc"], ["1.5"], ["1e2"], ["20,,50"], ["20,"], [String(MAX_TENANTS + 1)], ["0x10"]])("refuses --tenants %s with a usage error naming the flag", (value) => {
    const e = usageError(["--tenants", value]);
    expect(e.code).toBe(EXIT.usage);
    expect(e.message).toMatch(/^--tenants takes firm counts, whole numbers from 1 to \d+/);
    expect(e.message).toContain(JSON.stringify(value));
  });

  it("refuses --tenants without a value, and a stray positional", () => {
    expect(usageError(["--tenants"]).message).toMatch(/--tenants needs a value/);
    expect(usageError(["--tenants", "--runs", "2"]).message).toMatch(/--tenants needs a value/);
    expect(usageError(["20"]).message).toMatch(/unexpected argument/);
  });

  it("stops the bench with a usage error (exit 2) naming the flag, before any measurement", () => {
    // In process: main throws before it spawns anything (each measurement is a process of seconds).
    // How runMain turns a CliError into one line on stderr and its exit code is the shared
    // toolkit's, spawned once per exit path in tests/cli-hostile.test.ts.
    let thrown: unknown;
    try {
      main(["--tenants", "20,fifty"]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).code).toBe(EXIT.usage);
    expect((thrown as CliError).message).toMatch(/^--tenants takes firm counts.*"fifty"/);
  });
});

/** A stand-in for stacks/Pulumi.crm-courtier-prod.yaml: other keys, comments and a real firm list to replace. */
const FAKE_STACK_FILE = `# yaml-language-server: $schema=./schemas/crm-courtier.schema.json
# CRM Courtier prod (a stand-in for the bench test).
secretsprovider: gcpkms://projects/crm-courtier-prod/locations/europe-west9/keyRings/pulumi/cryptoKeys/stack-secrets
encryptedkey: c29tZS1vcGFxdWUta2V5
config:
  crm-courtier:domain: crm-courtier.fr
  # The two firms live today.
  crm-courtier:firms:
    - id: dupont-assurances
      plan: enterprise
      host: dupont.crm-courtier.fr
      shard: 1
    - id: martin-courtage
      plan: starter
      host: martin.crm-courtier.fr
  crm-courtier:backups:
    binlogIntervalMinutes: 5
  crm-courtier:dbPassword:
    secure: v1:abcdef
`;

function fakeSourceRoot(text = FAKE_STACK_FILE): string {
  const root = mkdtempSync(join(tmpdir(), "bench-src-"));
  mkdirSync(join(root, "stacks"));
  writeFileSync(join(root, "stacks", `Pulumi.${TENANT_STACK}.yaml`), text);
  return root;
}

describe("bench --tenants: the scratch root", () => {
  it("makes N firms of the issue's shape, ids and hosts unique, firm i the same for every N", () => {
    const firms = syntheticFirms(200);
    expect(firms).toHaveLength(200);
    expect(firms[0]).toEqual({ id: "cabinet-1", plan: "pro", host: "cabinet-1.crm-courtier.fr" });
    expect(firms[199]).toEqual({ id: "cabinet-200", plan: "pro", host: "cabinet-200.crm-courtier.fr" });
    expect(new Set(firms.map((f) => f.id)).size).toBe(200);
    expect(new Set(firms.map((f) => f.host)).size).toBe(200);
    // Adding firms appends: the first 20 of 200 are the 20 of N = 20.
    expect(firms.slice(0, 20)).toEqual(syntheticFirms(20));
  });

  it.each([1, 20, 200])("writes stacks/Pulumi.crm-courtier-prod.yaml with %i firms, every other key and comment kept", (n) => {
    const src = fakeSourceRoot();
    const dir = mkdtempSync(join(tmpdir(), "bench-root-"));
    const file = writeTenantRoot(n, dir, src);
    expect(file).toBe(join(dir, "stacks", `Pulumi.${TENANT_STACK}.yaml`));
    const text = readFileSync(file, "utf8");
    const data = parse(text) as { secretsprovider: string; encryptedkey: string; config: Record<string, unknown> };
    const firms = data.config[FIRMS_KEY] as { id: string; plan: string; host: string }[];
    expect(firms).toEqual(syntheticFirms(n));
    expect(new Set(firms.map((f) => f.id)).size).toBe(n);
    // The live firms are replaced, not kept alongside.
    expect(text).not.toContain("dupont-assurances");
    expect(data.secretsprovider).toBe("gcpkms://projects/crm-courtier-prod/locations/europe-west9/keyRings/pulumi/cryptoKeys/stack-secrets");
    expect(data.encryptedkey).toBe("c29tZS1vcGFxdWUta2V5");
    expect(data.config["crm-courtier:domain"]).toBe("crm-courtier.fr");
    expect(data.config["crm-courtier:backups"]).toEqual({ binlogIntervalMinutes: 5 });
    expect(data.config["crm-courtier:dbPassword"]).toEqual({ secure: "v1:abcdef" });
    expect(text.startsWith("# yaml-language-server: $schema=./schemas/crm-courtier.schema.json\n")).toBe(true);
    // One firm per block entry, as a person writes the list (not one 20 kB flow line).
    expect(text.split("\n").filter((l) => /^\s+- id: cabinet-\d+$/.test(l))).toHaveLength(n);
    // Read back as the preview reads it (`preview --root`): the list arrives as the program's JSON config.
    const loaded = loadStackFile(dir, TENANT_STACK);
    expect(JSON.parse(loaded.config[FIRMS_KEY])).toEqual(syntheticFirms(n));
    expect(loaded.secretKeys).toEqual(["crm-courtier:dbPassword"]);
  });

  it("adds the firm list to a stack file that has none, or an empty one", () => {
    for (const text of ["config:\n  crm-courtier:domain: x.fr\n", "config: {}\n", ""]) {
      const dir = mkdtempSync(join(tmpdir(), "bench-root-"));
      writeTenantRoot(3, dir, fakeSourceRoot(text));
      const loaded = loadStackFile(dir, TENANT_STACK);
      expect(JSON.parse(loaded.config[FIRMS_KEY])).toEqual(syntheticFirms(3));
      if (text.includes("domain")) expect(loaded.config["crm-courtier:domain"]).toBe("x.fr");
    }
  });

  it("refuses a missing stack file, naming it", () => {
    const empty = mkdtempSync(join(tmpdir(), "bench-src-"));
    expect(() => writeTenantRoot(5, mkdtempSync(join(tmpdir(), "bench-root-")), empty)).toThrow(new RegExp(`--tenants previews ${TENANT_STACK}, but .*Pulumi\\.${TENANT_STACK}\\.yaml does not exist`));
  });

  it.skipIf(!existsSync(join(PROJECT_ROOT, "stacks", `Pulumi.${TENANT_STACK}.yaml`)))("rewrites this repository's prod stack file into one the preview's loader reads", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-root-"));
    writeTenantRoot(50, dir);
    const original = loadStackFile(PROJECT_ROOT, TENANT_STACK);
    const loaded = loadStackFile(dir, TENANT_STACK);
    expect(JSON.parse(loaded.config[FIRMS_KEY])).toEqual(syntheticFirms(50));
    const { [FIRMS_KEY]: _a, ...rest } = loaded.config;
    const { [FIRMS_KEY]: _b, ...restOriginal } = original.config;
    expect(rest).toEqual(restOriginal);
    expect(loaded.secretsProvider).toBe(original.secretsProvider);
  });
});

describe("bench --tenants: the figures", () => {
  it("reads the resource count and the monthly estimate from a preview plan", () => {
    const policies = [
      { policy: "a", enforcementLevel: "mandatory", message: "x" },
      { policy: "b", enforcementLevel: "mandatory", message: "waived: y", waiver: { reason: "y", expires: "2027-01-01", target: "t" } },
      { policy: "c", enforcementLevel: "advisory", message: "z" },
    ];
    const plan = { steps: [{ op: "create" }, { op: "create" }, { op: "read" }], cost: { estimate: { monthlyUsd: 1234.5 } }, policies, deployability: { findings: [{}, {}] } };
    // One unwaived mandatory violation and two deployability errors; advisory and waived ones do not count.
    expect(planFigures(JSON.stringify(plan))).toEqual({ resources: 3, monthlyUsd: 1234.5, findings: 3 });
    expect(planFigures(JSON.stringify({ steps: [] }))).toEqual({ resources: 0, findings: 0 });
  });

  it("gives the marginal euros, resources and ms per firm between successive counts", () => {
    const base = { runs: [], firstRunMs: 0, findings: 0, sources: "0123456789ab" };
    const rows = withMarginals([
      { ...base, tenants: 20, medianMs: 1000, medianCpuMs: 900, resources: 400, monthlyUsd: 1000 },
      { ...base, tenants: 50, medianMs: 1300, medianCpuMs: 1500, resources: 700, monthlyUsd: 1300 },
      { ...base, tenants: 100, medianMs: 1800, medianCpuMs: 2000, resources: 1200 },
    ]);
    expect(rows[0].marginalEurPerFirm).toBeUndefined();
    expect(rows[0].marginalResourcesPerFirm).toBeUndefined();
    expect(rows[1].marginalResourcesPerFirm).toBe(10);
    expect(rows[1].marginalMsPerFirm).toBe(10);
    expect(rows[1].marginalCpuMsPerFirm).toBe(20);
    expect(rows[2].marginalCpuMsPerFirm).toBe(10);
    // (€(1300 USD) − €(1000 USD)) / 30 firms, at the rate the row's own euros use.
    expect(rows[1].marginalEurPerFirm).toBeCloseTo((rows[1].monthlyEur! - rows[0].monthlyEur!) / 30, 1);
    expect(rows[1].monthlyEur).toBeLessThan(1300);
    expect(rows[1].monthlyEur).toBeGreaterThan(1000);
    // No estimate on a row: no euros and no marginal euros, the other marginals still there.
    expect(rows[2].monthlyEur).toBeUndefined();
    expect(rows[2].marginalEurPerFirm).toBeUndefined();
    expect(rows[2].marginalResourcesPerFirm).toBe(10);
  });

  it("prints one row per N next to the floor, and warns when the plans have findings or the sources changed mid-run", () => {
    const base = { medianCpuMs: 100, runs: [], firstRunMs: 0, resources: 10, monthlyUsd: 100 };
    const clean = withMarginals([
      { ...base, tenants: 20, medianMs: 1500, findings: 0, sources: "aaaaaaaaaaaa" },
      { ...base, tenants: 200, medianMs: 3000, findings: 0, sources: "aaaaaaaaaaaa" },
    ]);
    const table = formatTenantTable(clean, 1000);
    expect(table).toContain("import floor 1000 ms in this run");
    expect(table).toMatch(/^\s+20\s+1500\s+100\s+0\s+1\.50\s/m);
    expect(table).toMatch(/^\s+200\s+3000\s+100\s+0\s+3\.00\s/m);
    expect(table).not.toContain("warning");
    const dirty = withMarginals([
      { ...base, tenants: 20, medianMs: 1500, findings: 0, sources: "aaaaaaaaaaaa" },
      { ...base, tenants: 50, medianMs: 1600, findings: 4, sources: "changed" },
      { ...base, tenants: 200, medianMs: 3000, findings: 1, sources: "bbbbbbbbbbbb" },
    ]);
    const warned = formatTenantTable(dirty, 1000);
    expect(warned).toContain("warning: sources were edited during this run (rows' sources: 20: aaaaaaaaaaaa, 50: changed, 200: bbbbbbbbbbbb)");
    expect(warned).toContain("deployability errors at N = 50 (4), 200 (1)");
  });
});
