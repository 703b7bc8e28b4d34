/** Every rule carries what the README, the CLI and reviewers need, and has a spec. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../../policies/pack";
import { DOMAINS, metaOf } from "../../policies/lib/rule";
import { SPECS } from "./specs";

const NAME = /^(gcp|k8s|platform)-[a-z0-9]+(-[a-z0-9]+)*-(require|deny|enforce|restrict|drop)-[a-z0-9-]+$/;

describe("policy pack metadata", () => {
  for (const p of policies) {
    it(`${p.name} has metadata, a source and a spec`, () => {
      const m = metaOf(p.name);
      expect(p.name).toMatch(NAME);
      expect(p.description.length).toBeGreaterThan(20);
      expect(["low", "medium", "high", "critical"]).toContain(p.severity);
      expect(p.remediationSteps?.length ?? 0).toBeGreaterThan(20);
      expect(DOMAINS).toContain(m.domain);
      expect(m.resources.length).toBeGreaterThan(0);
      const spec = SPECS[p.name];
      expect(spec, `no spec for ${p.name} in tests/policies/specs`).toBeDefined();
      expect(spec.kind).toBe(m.kind);
      const failing = Object.keys(spec.failing).length + (spec.kind === "stack" && spec.failsWithoutConfig ? 1 : 0);
      expect(failing).toBeGreaterThan(0);
    });
  }

  it("has one file per rule, in its domain's folder, named after the rule", () => {
    const root = join(__dirname, "..", "..", "policies");
    const files = DOMAINS.flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith(".ts")).map((f) => `${d}/${f.replace(/\.ts$/, "")}`));
    expect(files.sort()).toEqual(policies.map((p) => `${metaOf(p.name).domain}/${p.name}`).sort());
  });

  it("has no spec for a rule that does not exist", () => {
    const names = new Set(policies.map((p) => p.name));
    expect(Object.keys(SPECS).filter((n) => !names.has(n))).toEqual([]);
  });

  it("constructs the PolicyPack only in policies/index.ts", () => {
    const root = join(__dirname, "..", "..", "policies");
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory() && e.name !== "node_modules") walk(join(dir, e.name));
        else if (e.name.endsWith(".ts") && join(dir, e.name) !== join(root, "index.ts")) {
          const text = readFileSync(join(dir, e.name), "utf8");
          if (/new PolicyPack\(/.test(text)) offenders.push(join(dir, e.name));
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});

/**
 * Citations (policies/README.md § Citations): a rule's `source` is a `; `-separated list of items,
 * each in a small grammar; a cited repository file and section exist; every benchmark id is in
 * the README's verified mapping (id → what it checks).
 */
const ROOT = join(__dirname, "..", "..");
const PSS_CONTROLS: Record<"baseline" | "restricted", string[]> = {
  baseline: ["HostProcess", "Host Namespaces", "Privileged Containers", "Capabilities", "HostPath Volumes", "Host Ports", "AppArmor", "SELinux", "/proc Mount Type", "Seccomp", "Sysctls"],
  restricted: ["Volume Types", "Privilege Escalation", "Running as Non-root", "Running as Non-root user", "Seccomp", "Capabilities"],
};
const NOTE = String.raw`(?: \((?:[^()]|\([^()]*\))*\))?`;
const CIS_ID = String.raw`\d+(?:\.\d+)+(?:–\d+(?:\.\d+)+)?`;
const CIS = new RegExp(String.raw`^CIS (GKE v1\.8|GCP v3\.0|Kubernetes v1\.10) (${CIS_ID}${NOTE}(?:, ${CIS_ID}${NOTE})*)$`);
const CKV_ID = String.raw`CKV2?_(?:GCP|K8S)_\d+`;
const CKV = new RegExp(String.raw`^${CKV_ID}${NOTE}(?:, ${CKV_ID}${NOTE})*$`);
const PSS = /^PSS (baseline|restricted) (.+)$/;
const DOC = /^((?:[\w.-]+\/)*[\w.-]+\.md) § (.+)$/;
const CODE = /^((?:[\w.-]+\/)*[\w.-]+\.ts) § (\w+)(?: \(.*\))?$/;
const VENDOR_DOC = /^[A-Z][A-Za-z0-9/ -]*? (docs|documentation) § \S.*$/;
const NSA = /^NSA\/CISA Kubernetes Hardening Guide § \S.*$/;
const CVE = /^(Kubernetes security advisory )?CVE-\d{4}-\d{4,}(?: \(.*\))?$/;

function readmeMapping(): Set<string> {
  const text = readFileSync(join(ROOT, "policies", "README.md"), "utf8");
  const block = text.slice(text.indexOf("<!-- citations:begin -->"), text.indexOf("<!-- citations:end -->"));
  return new Set([...block.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
}

/** Top-level `; ` split (not inside parentheses or quotes). */
function items(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"') quoted = !quoted;
    if (!quoted && c === "(") depth++;
    if (!quoted && c === ")") depth--;
    if (!quoted && depth === 0 && c === ";" && source[i + 1] === " ") {
      out.push(cur);
      cur = "";
      i++;
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

function stripNotes(s: string): string {
  let prev = "";
  let out = s;
  while (prev !== out) {
    prev = out;
    out = out.replace(/ ?\((?:[^()"]|"[^"]*")*\)/g, "").replace(/"[^"]*"/g, "");
  }
  return out;
}

const normal = (s: string) =>
  s
    .normalize("NFKD")
    .replace(/[̀-ͯ]/g, "")
    .replace(/[^\p{L}\p{N} ./-]/gu, " ")
    .replace(/^\s*\d+(\.\d+)*\.?\s+(?=\D)/, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();

const flat = (s: string) => s.replace(/[*_`]/g, "").replace(/\s+/g, " ").toLowerCase();

function docPath(file: string): string | undefined {
  return [join(ROOT, file), join(ROOT, "docs", "platforms", file)].find((c) => existsSync(c));
}

/** The headings of a repository markdown file (docs/platforms/<doc>.md or a path from the root). */
function headingsOf(file: string): string[] | undefined {
  for (const candidate of [join(ROOT, file), join(ROOT, "docs", "platforms", file)]) {
    if (existsSync(candidate)) return readFileSync(candidate, "utf8").split("\n").filter((l) => /^#{1,6} /.test(l)).map((l) => l.replace(/^#+ /, ""));
  }
  return undefined;
}

/** Problems with one citation item ([] when it is well-formed and checkable). */
function citationProblems(item: string, mapping: Set<string>): string[] {
  const cis = CIS.exec(item);
  if (cis) {
    const ids = stripNotes(cis[2]).split(", ").flatMap((id) => id.split("–"));
    return ids.filter((id) => !mapping.has(`CIS ${cis[1]} ${id}`)).map((id) => `CIS ${cis[1]} ${id} is not in the README's verified mapping`);
  }
  if (CKV.test(item)) return [...item.matchAll(new RegExp(CKV_ID, "g"))].map((m) => m[0]).filter((id) => !mapping.has(id)).map((id) => `${id} is not in the README's verified mapping`);
  const pss = PSS.exec(item);
  if (pss) {
    const controls = pss[2].split(", ");
    return controls.filter((c) => !PSS_CONTROLS[pss[1] as "baseline" | "restricted"].includes(c)).map((c) => `"${c}" is not a Pod Security Standards ${pss[1]} control`);
  }
  const doc = DOC.exec(item);
  if (doc) {
    const headings = headingsOf(doc[1]);
    if (!headings) return [`${doc[1]} does not exist (docs/platforms/ or the repository root)`];
    const sections = stripNotes(doc[2]).split(/,? (?:and )?§ |, § /).flatMap((sec) => sec.split(" / ")).map((x) => x.replace(/,$/, "").trim()).filter(Boolean);
    const numbered = (h: string, n: string) => new RegExp(`^[^\\p{L}\\p{N}]*${n.replace(/\./g, "\\.")}\\.?\\s`, "u").test(h);
    const missing = sections.filter((sec) => !headings.some((h) => (/^\d+(\.\d+)*$/.test(sec) ? numbered(h, sec) : normal(h).includes(normal(sec))))).map((sec) => `${doc[1]} has no section "${sec}"`);
    // What a citation quotes is in the document (markdown emphasis and spacing aside).
    // Tables are quoted as "cell: cell": every word of the quote is within three lines of the document.
    const lines = readFileSync(docPath(doc[1])!, "utf8").split("\n").map(flat);
    const windows = lines.map((_, i) => lines.slice(i, i + 3).join(" "));
    const words = (q: string) => flat(q).match(/[\p{L}\p{N}][\p{L}\p{N}.'/-]*/gu) ?? [];
    const quotes = [...doc[2].matchAll(/"([^"]+)"/g)].map((m) => m[1]).filter((q) => !windows.some((w) => words(q).every((t) => w.includes(t))));
    return [...missing, ...quotes.map((q) => `${doc[1]} does not say "${q}"`)];
  }
  const code = CODE.exec(item);
  if (code) {
    const file = join(ROOT, code[1]);
    if (!existsSync(file)) return [`${code[1]} does not exist`];
    return readFileSync(file, "utf8").includes(code[2]) ? [] : [`${code[1]} has no ${code[2]}`];
  }
  if (VENDOR_DOC.test(item) || NSA.test(item) || CVE.test(item)) return [];
  return [`"${item}" is not a citation form of policies/README.md § Citations`];
}

describe("citations (policies/README.md § Citations)", () => {
  const mapping = readmeMapping();
  for (const p of policies) {
    it(`${p.name}: every source item is well-formed and verified`, () => {
      const problems = items(metaOf(p.name).source).flatMap((i) => citationProblems(i, mapping));
      expect(problems).toEqual([]);
    });
  }

  it("the grammar refuses what used to slip through", () => {
    for (const bad of ["CKV_SECRET_*", "CKV_K8S ingress TLS", "CIS GKE 5.6.7", "Pod Security Standards (restricted)", "PSS restricted Root", "CKV_GCP_15", "nowhere.md § Intro", "diaspomoney.md § No Such Section"]) {
      expect(citationProblems(bad, mapping), bad).not.toEqual([]);
    }
    for (const good of ["CIS GKE v1.8 5.3.1 (Kubernetes Secrets are encrypted using keys managed in Cloud KMS)", "CKV_GCP_2, CKV_GCP_3", "PSS baseline Host Namespaces, Host Ports", "diaspomoney.md § Backup (\"Redis - Persistence AOF\")", "Cloud Run docs § Restrict network ingress"]) {
      expect(citationProblems(good, mapping), good).toEqual([]);
    }
  });
});

describe("policies/README.md", () => {
  it("has the current rule table (npm run generate)", async () => {
    const { README, readmeWithTable } = await import("../../policies/rule-table");
    const text = readFileSync(README, "utf8");
    expect(text).toBe(readmeWithTable(text));
  });
});

describe("how the Pulumi CLI loads the pack", () => {
  it("PulumiPolicy.yaml runs entry.js on nodejs without ts-node; entry.js registers tsx then loads index.ts", async () => {
    const { parse } = await import("yaml");
    const root = join(__dirname, "..", "..", "policies");
    const project = parse(readFileSync(join(root, "PulumiPolicy.yaml"), "utf8")) as { runtime: { name: string; options: { typescript: boolean } }; main: string };
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: false } });
    expect(project.main).toBe("entry.js");
    const entry = readFileSync(join(root, project.main), "utf8");
    expect(entry.indexOf('require("tsx/cjs")')).toBeGreaterThan(-1);
    expect(entry.indexOf('require("tsx/cjs")')).toBeLessThan(entry.indexOf('require("./index.ts")'));
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string; main: string };
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg.main).toBe("entry.js");
  });
});
