/**
 * Deployability check `chart-values`: every Helm release's values, against the reference data of the
 * chart version it pins (vendor/helm-charts/<chart>-<version>/, see its SOURCES.md).
 *
 * Helm validates the merged values (the chart's defaults, then the release's) against the chart's
 * `values.schema.json` on install and upgrade, and refuses the release on any violation. It does
 * not complain about a key no template reads: it silently drops it. Both fail a deploy, the second
 * one later and worse (a LoadBalancer open to the world because `service.loadBalancerSourceRanges`
 * moved under `service.spec`). So:
 *
 * - **schema**: the merged values are validated with ajv (the draft the schema declares) and each
 *   violation the release's own values cause is a finding;
 * - **key tree**: every key path of the release's values must exist in the chart's default values
 *   (`values.json`), its schema or the keys its templates read (`template_keys`), unless it sits
 *   under a path the chart renders free-form (`open_paths`, `open_paths_manual`), under a map the
 *   chart leaves for users to fill (`{}` or `null` by default, with no template reading keys below),
 *   or inside a list. A subchart's section is checked against the subchart's own tree too
 *   (kube-prometheus-stack → grafana, kube-state-metrics, prometheus-node-exporter). An unknown key
 *   names where it moved (chart.json `moved`) or the closest known key;
 * - **pin**: a release with no exact version, or whose chart version has no vendored data, or that
 *   installs from a repository its maintainers deprecated, is a finding.
 *
 * Unknown values of a preview (provider-computed) and blinded secrets are opaque: they never cause a
 * finding, and nothing below them is checked.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { default as Ajv, ErrorObject, ValidateFunction } from "ajv";
import { containsOpaque, isOpaque, UNKNOWN, type RecordedResource } from "../evaluate";
import { cachedByContent, codeFingerprint, sha256 } from "../../model/content-cache";
import { ajvVersion, loadAjv, loadAjv2019, loadAjv2020, loadAjvFormats } from "../../model/lazy-ajv";
import type { DeployCheck, DeployFinding } from "./types";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** Where the vendored chart data lives (inside the repository). */
export const VENDORED_CHARTS_DIR = join(__dirname, "..", "..", "vendor", "helm-charts");

/** chart.json, as the team's chart snapshot writes it (vendor/helm-charts/SOURCES.md says where it comes from). */
export interface ChartMeta {
  chart: string;
  version: string;
  version_in_git?: string;
  appVersion?: string;
  source: { upstream: string; ref: string; commit: string; path: string; "values.yaml sha256": string; "values.schema.json sha256": string | null };
  repo_urls: string[];
  deprecated_repo_urls: string[];
  /** Subchart name (the key of its section in the parent's values) → folder of its data. */
  subcharts: Record<string, string>;
  open_paths: string[];
  open_paths_manual: string[];
  template_keys: string[];
  /** Key pattern (`*` = one segment) → where it went, in words, with the chart version and commit. */
  moved?: Record<string, string>;
  notes?: string[];
}

/** Helm matches `1.21.1` and `v1.21.1` alike: the key ignores a leading `v`. */
export function chartKey(chart: string, version: string): string {
  return `${chart}@${version.replace(/^v/, "")}`;
}

type Json = unknown;
type JsonObject = Record<string, Json>;
type Schema = Record<string, unknown>;

interface ChartData {
  folder: string;
  meta: ChartMeta;
  values: JsonObject;
  schema?: Schema;
  open: string[];
  templateKeys: Set<string>;
  /** Proper prefixes of the template keys: a template reads something below them. */
  templatePrefixes: Set<string>;
  subcharts: Map<string, ChartData>;
}

// ---------------------------------------------------------------------------------------------
// Vendored data

let folderIndex: Map<string, string> | undefined;
const chartCache = new Map<string, ChartData | null>();

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** `chart@version` → folder, from every vendored chart.json (read once per process). */
function vendoredIndex(): Map<string, string> {
  if (folderIndex) return folderIndex;
  folderIndex = new Map();
  if (!existsSync(VENDORED_CHARTS_DIR)) return folderIndex;
  for (const folder of readdirSync(VENDORED_CHARTS_DIR).sort()) {
    const file = join(VENDORED_CHARTS_DIR, folder, "chart.json");
    if (!existsSync(file)) continue;
    const meta = readJson(file) as ChartMeta;
    folderIndex.set(chartKey(meta.chart, meta.version), folder);
  }
  return folderIndex;
}

/** Versions of `chart` with vendored data, for the "pin without reference data" message. */
export function vendoredVersions(chart: string): string[] {
  return [...vendoredIndex().keys()].filter((k) => k.startsWith(`${chart}@`)).map((k) => k.slice(chart.length + 1));
}

function loadFolder(folder: string): ChartData | null {
  const memo = chartCache.get(folder);
  if (memo !== undefined) return memo;
  const dir = join(VENDORED_CHARTS_DIR, folder);
  let data: ChartData | null = null;
  if (existsSync(join(dir, "chart.json")) && existsSync(join(dir, "values.json"))) {
    const meta = readJson(join(dir, "chart.json")) as ChartMeta;
    const values = (readJson(join(dir, "values.json")) ?? {}) as JsonObject;
    const schemaFile = join(dir, "values.schema.json");
    const templateKeys = new Set(meta.template_keys ?? []);
    const templatePrefixes = new Set<string>();
    for (const k of templateKeys) {
      const segs = k.split(".");
      for (let i = 1; i < segs.length; i++) templatePrefixes.add(segs.slice(0, i).join("."));
    }
    data = {
      folder,
      meta,
      values,
      schema: existsSync(schemaFile) ? (readJson(schemaFile) as Schema) : undefined,
      open: [...new Set([...(meta.open_paths ?? []), ...(meta.open_paths_manual ?? [])])],
      templateKeys,
      templatePrefixes,
      subcharts: new Map(),
    };
    chartCache.set(folder, data);
    for (const [name, sub] of Object.entries(meta.subcharts ?? {})) {
      const subData = loadFolder(sub);
      if (subData) data.subcharts.set(name, subData);
    }
  }
  chartCache.set(folder, data);
  return data;
}

/** The vendored data of one chart version, or undefined. */
export function vendoredChart(chart: string, version: string): ChartData | undefined {
  const folder = vendoredIndex().get(chartKey(chart, version));
  return folder ? (loadFolder(folder) ?? undefined) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Values helpers

function isPlainObject(v: unknown): v is JsonObject {
  return !!v && typeof v === "object" && !Array.isArray(v) && !isOpaque(v);
}

/** Helm's coalescing: maps merge key by key, anything else replaces, `null` deletes the default. */
export function mergeValues(defaults: Json, user: Json): Json {
  if (!isPlainObject(defaults) || !isPlainObject(user)) return user === undefined ? defaults : user;
  const out: JsonObject = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k];
    else out[k] = k in defaults ? mergeValues(defaults[k], v) : v;
  }
  return out;
}

const fmt = (segs: readonly string[]) => segs.join(".");

function underPath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`);
}

// ---------------------------------------------------------------------------------------------
// Schema navigation (for the key tree: what the schema declares is a known key)

function deref(root: Schema, node: unknown, depth = 0): Schema | undefined {
  if (!node || typeof node !== "object" || depth > 20) return undefined;
  const ref = (node as Schema).$ref;
  if (typeof ref === "string" && ref.startsWith("#/")) {
    let cur: unknown = root;
    for (const seg of ref.slice(2).split("/")) cur = (cur as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
    return deref(root, cur, depth + 1);
  }
  return node as Schema;
}

/** The node and its combinator branches, each dereferenced. */
function branches(root: Schema, node: Schema | undefined, depth = 0): Schema[] {
  const n = deref(root, node);
  if (!n || depth > 5) return [];
  const out = [n];
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = n[key];
    if (Array.isArray(list)) for (const b of list) out.push(...branches(root, b as Schema, depth + 1));
  }
  return out;
}

interface SchemaStep {
  known: boolean;
  child?: Schema;
  /** The schema lets users choose the key (additionalProperties / patternProperties). */
  map: boolean;
}

function schemaChild(root: Schema, node: Schema | undefined, key: string): SchemaStep {
  for (const b of branches(root, node)) {
    const props = b.properties as Record<string, Schema> | undefined;
    if (props && Object.hasOwn(props, key)) return { known: true, child: props[key], map: false };
  }
  for (const b of branches(root, node)) {
    const patterns = b.patternProperties as Record<string, Schema> | undefined;
    for (const [re, s] of Object.entries(patterns ?? {})) {
      try {
        if (new RegExp(re, "u").test(key)) return { known: true, child: s, map: true };
      } catch {
        // A pattern JavaScript cannot compile says nothing either way.
      }
    }
    if (b.additionalProperties && typeof b.additionalProperties === "object") return { known: true, child: b.additionalProperties as Schema, map: true };
    if (b.additionalProperties === true) return { known: true, map: true };
  }
  return { known: false, map: false };
}

function schemaDeclaresProperties(root: Schema, node: Schema | undefined): boolean {
  return branches(root, node).some((b) => b.properties && typeof b.properties === "object" && Object.keys(b.properties).length > 0);
}

// ---------------------------------------------------------------------------------------------
// Key tree

/** One chart's view of a values node: the same user path can be read by a parent and a subchart. */
interface Ctx {
  chart: ChartData;
  /** Path relative to the chart's own root. */
  path: string[];
  defaults: Json;
  schema?: Schema;
}

type Step = { kind: "unknown" } | { kind: "free" } | { kind: "known"; children: Ctx[] };

function isOpen(chart: ChartData, rel: string): boolean {
  return chart.open.some((o) => underPath(rel, o));
}

/** Below this node, does the chart say which keys exist (else users fill it as they like)? */
function closed(c: Ctx): boolean {
  if (isPlainObject(c.defaults) && Object.keys(c.defaults).length > 0) return true;
  if (c.chart.templatePrefixes.has(fmt(c.path))) return true;
  if (c.chart.schema && c.schema && schemaDeclaresProperties(c.chart.schema, c.schema)) return true;
  return false;
}

/** What the charts reading `ctxs` know of key `key` below them. */
function step(ctxs: readonly Ctx[], key: string): Step {
  const children: Ctx[] = [];
  for (const c of ctxs) {
    const rel = [...c.path, key];
    const relStr = fmt(rel);
    if (isOpen(c.chart, relStr)) return { kind: "free" };
    if (!closed(c)) return { kind: "free" };
    const inDefaults = isPlainObject(c.defaults) && Object.hasOwn(c.defaults, key);
    const sc = c.chart.schema && c.schema ? schemaChild(c.chart.schema, c.schema, key) : { known: false, map: false };
    const inTemplates = c.chart.templateKeys.has(relStr) || c.chart.templatePrefixes.has(relStr);
    if (inDefaults || sc.known || inTemplates) {
      children.push({ chart: c.chart, path: rel, defaults: inDefaults ? (c.defaults as JsonObject)[key] : undefined, schema: sc.child });
    }
    // A subchart's section: its own values, schema and templates also define what is known there.
    if (c.path.length === 0) {
      const sub = c.chart.subcharts.get(key);
      if (sub) children.push({ chart: sub, path: [], defaults: sub.values, schema: sub.schema });
    }
  }
  return children.length ? { kind: "known", children } : { kind: "unknown" };
}

function rootCtx(chart: ChartData): Ctx {
  return { chart, path: [], defaults: chart.values, schema: chart.schema };
}

/** True when `segs` (from the chart's root) is a key path the chart accepts. */
function isKnownPath(chart: ChartData, segs: readonly string[]): boolean {
  let ctxs = [rootCtx(chart)];
  for (const seg of segs) {
    const s = step(ctxs, seg);
    if (s.kind === "unknown") return false;
    if (s.kind === "free") return true;
    ctxs = s.children;
  }
  return true;
}

/** Leaf paths of a value (objects descended, lists and scalars are leaves). */
function leaves(value: Json, prefix: string[]): string[][] {
  if (!isPlainObject(value) || Object.keys(value).length === 0) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, [...prefix, k]));
}

interface MovedHit {
  /** The new key path, when the chart's own note lets us compute one the chart knows. */
  to?: string[];
  note: string;
}

/** Matches a `moved` pattern (`*` = one segment) against a prefix of `segs`. */
function matchPattern(pattern: string, segs: readonly string[]): { consumed: number; captures: string[] } | undefined {
  const p = pattern.split(".");
  if (p.length > segs.length) return undefined;
  const captures: string[] = [];
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "*") captures.push(segs[i]);
    else if (p[i] !== segs[i]) return undefined;
  }
  return { consumed: p.length, captures };
}

const PATH_TOKEN = /^[A-Za-z_<*][A-Za-z0-9_.<>*-]*$/;

function substitute(token: string, captures: string[]): string[] | undefined {
  const queue = [...captures];
  const out: string[] = [];
  for (const seg of token.split(".")) {
    if (seg === "*" || /^<[^>]+>$/.test(seg)) {
      const c = queue.shift();
      if (c === undefined) return undefined;
      out.push(c);
    } else out.push(seg);
  }
  return out;
}

/** Where a key went, from chart.json `moved`: the most specific pattern wins. */
function movedTo(chart: ChartData, segs: readonly string[]): MovedHit | undefined {
  let best: { pattern: string; note: string; consumed: number; captures: string[] } | undefined;
  for (const [pattern, note] of Object.entries(chart.meta.moved ?? {})) {
    const m = matchPattern(pattern, segs);
    if (m && (!best || m.consumed > best.consumed)) best = { pattern, note, ...m };
  }
  if (!best) return undefined;
  const rest = segs.slice(best.consumed);
  // "accessLog (was logs.access)": an explicit old → new pair.
  for (const m of best.note.matchAll(/([A-Za-z0-9_.<>*-]+)\s*\(was ([A-Za-z0-9_.<>*-]+)\)/g)) {
    const old = m[2].split(".");
    if (old.every((s, i) => s === segs[i])) {
      const to = [...m[1].split("."), ...segs.slice(old.length)];
      if (isKnownPath(chart, to)) return { to, note: best.note };
    }
  }
  // Otherwise every path-like word of the note, its placeholders filled with what `*` matched.
  const candidates: string[][] = [];
  for (const raw of best.note.split(/[\s,;()`'"/]+/)) {
    const token = raw.replace(/[.:]+$/, "");
    if (!PATH_TOKEN.test(token)) continue;
    const c = substitute(token, best.captures);
    if (c && (Object.hasOwn(chart.values, c[0]) || chart.templateKeys.has(c[0]) || chart.templatePrefixes.has(c[0]))) candidates.push(c);
  }
  for (let drop = 0; drop <= rest.length; drop++) {
    for (const c of candidates) {
      const to = [...c, ...rest.slice(drop)];
      if (isKnownPath(chart, to)) return { to, note: best.note };
    }
  }
  return { note: best.note };
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** Keys the charts reading `ctxs` know directly below them. */
function knownChildren(ctxs: readonly Ctx[]): string[] {
  const out = new Set<string>();
  for (const c of ctxs) {
    if (isPlainObject(c.defaults)) for (const k of Object.keys(c.defaults)) out.add(k);
    if (c.chart.schema) for (const b of branches(c.chart.schema, c.schema)) for (const k of Object.keys((b.properties as object) ?? {})) out.add(k);
    const prefix = c.path.length ? `${fmt(c.path)}.` : "";
    for (const t of [...c.chart.templateKeys, ...c.chart.templatePrefixes]) {
      if (t.startsWith(prefix)) out.add(t.slice(prefix.length).split(".")[0]);
    }
    if (c.path.length === 0) for (const s of c.chart.subcharts.keys()) out.add(s);
  }
  return [...out].filter(Boolean);
}

/** Paths of the chart's default values whose last key is `key` (shortest first). */
function elsewhere(values: Json, key: string, prefix: string[] = [], out: string[][] = []): string[][] {
  if (!isPlainObject(values) || prefix.length > 6) return out;
  for (const [k, v] of Object.entries(values)) {
    if (k === key && prefix.length) out.push([...prefix, k]);
    elsewhere(v, key, [...prefix, k], out);
  }
  return out.sort((a, b) => a.length - b.length);
}

function closestKey(ctxs: readonly Ctx[], parentUser: string[], key: string): string | undefined {
  const siblings = knownChildren(ctxs);
  let best: { k: string; d: number } | undefined;
  for (const s of siblings) {
    const d = s.toLowerCase() === key.toLowerCase() ? 0 : levenshtein(s, key);
    if (d <= Math.max(1, Math.floor(key.length / 3)) && (!best || d < best.d)) best = { k: s, d };
  }
  if (best) return fmt([...parentUser, best.k]);
  for (const c of ctxs) {
    const found = elsewhere(c.chart.values, key)[0];
    if (found) return fmt([...parentUser.slice(0, parentUser.length - c.path.length), ...found]);
  }
  return undefined;
}

interface UnknownKey {
  /** The key path in the release's values. */
  path: string[];
  /** One line: what happened to it. */
  detail: string;
}

/** Every unknown key path of `user`, below `ctxs` (the charts reading that node). */
function unknownKeys(user: Json, ctxs: readonly Ctx[], userPath: string[], out: UnknownKey[]): void {
  if (!isPlainObject(user)) return;
  for (const [key, value] of Object.entries(user)) {
    const s = step(ctxs, key);
    const path = [...userPath, key];
    if (s.kind === "free") continue;
    if (s.kind === "known") {
      if (isPlainObject(value)) unknownKeys(value, s.children, path, out);
      continue;
    }
    out.push(...describeUnknown(ctxs, userPath, key, value));
  }
}

/** The finding lines for one unknown key: where it moved (once for the subtree when it moved whole), or a suggestion. */
function describeUnknown(ctxs: readonly Ctx[], userPath: string[], key: string, value: Json): UnknownKey[] {
  const path = [...userPath, key];
  const primary = ctxs[0];
  // Paths relative to the primary chart's root: the user path minus the part above that chart.
  const base = userPath.slice(0, userPath.length - primary.path.length);
  const rel = (segs: string[]) => segs.slice(base.length);
  const ls = leaves(value, path);
  const hits = ls.map((l) => ({ leaf: l, hit: movedTo(primary.chart, rel(l)) }));
  if (hits.some((h) => h.hit)) {
    // Did the whole subtree move as one (new = P' + the same suffix)? Then say it once.
    const relKey = rel(path);
    const wholeTo = movedTo(primary.chart, relKey);
    const whole =
      wholeTo?.to &&
      hits.every(({ leaf, hit }) => {
        if (!hit?.to) return false;
        const suffix = rel(leaf).slice(relKey.length);
        const expect = [...wholeTo.to!, ...suffix];
        return fmt(expect) === fmt(hit.to) || isKnownPath(primary.chart, expect);
      });
    if (whole) return [{ path, detail: `moved to \`${fmt([...base, ...wholeTo!.to!])}\` (${wholeTo!.note})` }];
    return hits.map(({ leaf, hit }) => ({
      path: leaf,
      detail: hit?.to ? `moved to \`${fmt([...base, ...hit.to])}\` (${hit.note})` : hit ? `moved or removed: ${hit.note}` : "no such key",
    }));
  }
  const near = closestKey(ctxs, userPath, key);
  return [{ path, detail: near ? `no such key; closest known key: \`${near}\`` : "no such key" }];
}

// ---------------------------------------------------------------------------------------------
// Schema validation

const validators = new Map<string, ValidateFunction | string>();

function ajvFor(schema: Schema): Ajv {
  const draft = String(schema.$schema ?? "");
  const opts = { strict: false, allErrors: true, logger: false as const, validateSchema: false, validateFormats: true };
  const AjvClass = draft.includes("2020-12") ? loadAjv2020().default : draft.includes("2019-09") ? loadAjv2019().default : loadAjv().default;
  const ajv = new AjvClass(opts);
  loadAjvFormats().default(ajv);
  return ajv;
}

/** The chart's compiled schema, or the reason it could not be compiled. */
function schemaValidator(chart: ChartData): ValidateFunction | string | undefined {
  if (!chart.schema) return undefined;
  const memo = validators.get(chart.folder);
  if (memo) return memo;
  let v: ValidateFunction | string;
  try {
    // Compiled without its $id: two charts may share one, and the validator is per chart version.
    const { $id: _id, ...schema } = chart.schema;
    v = ajvFor(chart.schema).compile(schema);
  } catch (err) {
    v = `its values.schema.json does not compile (${(err as Error).message})`;
  }
  validators.set(chart.folder, v);
  return v;
}

function pointerSegs(pointer: string): string[] {
  return pointer ? pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")) : [];
}

function at(root: Json, segs: readonly string[]): { found: boolean; value: Json; opaque: boolean } {
  let cur: Json = root;
  for (const s of segs) {
    if (isOpaque(cur)) return { found: true, value: cur, opaque: true };
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur as object, s)) return { found: false, value: undefined, opaque: false };
    cur = (cur as Record<string, Json>)[s];
  }
  return { found: true, value: cur, opaque: isOpaque(cur) };
}

interface SchemaViolation {
  path: string[];
  message: string;
  /** additionalProperties: the key the schema rejects. */
  unknownKey?: string[];
}

function errorKey(e: ErrorObject): string {
  return `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
}

/** Violations the release's values cause (those the chart's defaults alone have are the chart's own). */
function schemaViolations(chart: ChartData, user: JsonObject): SchemaViolation[] | string {
  const validate = schemaValidator(chart);
  if (!validate) return [];
  if (typeof validate === "string") return validate;
  validate(chart.values);
  const baseline = new Set((validate.errors ?? []).map(errorKey));
  const merged = mergeValues(chart.values, user);
  if (validate(merged)) return [];
  const out: SchemaViolation[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    if (baseline.has(errorKey(e))) continue;
    const segs = pointerSegs(e.instancePath);
    const node = at(merged, segs);
    if (node.opaque) continue;
    // A combinator or a condition over a value the preview cannot know is undecided, not violated.
    if (["anyOf", "oneOf", "allOf", "not", "if"].includes(e.keyword) && containsOpaque(node.value)) continue;
    // Only what the release wrote: a violation in a part of the defaults it did not touch is not its doing.
    if (!at(user, segs).found && e.keyword !== "required") continue;
    let message = e.message ?? e.keyword;
    let unknownKey: string[] | undefined;
    if (e.keyword === "additionalProperties") {
      unknownKey = [...segs, (e.params as { additionalProperty: string }).additionalProperty];
      message = "is not allowed (additionalProperties: false)";
    }
    if (e.keyword === "enum") message += `: ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    const path = unknownKey ?? segs;
    const k = `${fmt(path)}|${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ path, message, ...(unknownKey ? { unknownKey } : {}) });
  }
  return out;
}

/**
 * schemaViolations, kept by content (model/content-cache.ts): compiling a chart's values schema
 * costs 0.3 s per process (kube-prometheus-stack), though a release's values rarely change between
 * two previews. The key covers the chart version's vendored defaults and schema, the release's
 * values and the code that compares them.
 */
const chartIdentities = new Map<string, string>();
let violationsCode: string | undefined;
function cachedSchemaViolations(chart: ChartData, user: JsonObject): SchemaViolation[] | string {
  if (!chart.schema) return [];
  let identity = chartIdentities.get(chart.folder);
  if (!identity) {
    identity = sha256(chart.folder, ajvVersion(), JSON.stringify(chart.schema), JSON.stringify(chart.values));
    chartIdentities.set(chart.folder, identity);
  }
  violationsCode ??= codeFingerprint([schemaViolations, schemaValidator, ajvFor, mergeValues, isPlainObject, at, pointerSegs, errorKey, fmt, isOpaque, containsOpaque]);
  return cachedByContent("chart-values", [violationsCode, identity, JSON.stringify(user)], () => schemaViolations(chart, user));
}

// ---------------------------------------------------------------------------------------------
// The check

interface ReleaseRef {
  chart: string;
  /** Repository URL (https:// or oci://), when the release names one. */
  repo?: string;
}

/** `oci://host/path/name` → name + oci://host/path; `repo/name` → name. */
export function parseChartRef(chart: string, repo?: string): ReleaseRef {
  if (chart.startsWith("oci://")) {
    const i = chart.lastIndexOf("/");
    return { chart: chart.slice(i + 1), repo: chart.slice(0, i) };
  }
  if (!repo && /^[^/]+\/[^/]+$/.test(chart)) return { chart: chart.split("/")[1] };
  return { chart, repo };
}

const normRepo = (u: string) => u.replace(/\/+$/, "");

function releaseLabel(r: RecordedResource, chart: string, version: string): string {
  const helmName = typeof r.inputs.name === "string" && r.inputs.name !== UNKNOWN ? `Helm release "${r.inputs.name}"` : "Helm release";
  return `${helmName} (${r.name}) of chart ${chart} ${version}`;
}

export function checkRelease(r: RecordedResource): DeployFinding[] {
  const out: DeployFinding[] = [];
  const finding = (message: string, remediation: string) => out.push({ check: "chart-values", urn: r.urn, message, remediation });
  const rawChart = r.inputs.chart;
  const version = r.inputs.version;
  if (typeof rawChart !== "string" || rawChart === UNKNOWN || version === UNKNOWN) return out;
  const repoOpts = r.inputs.repositoryOpts as { repo?: unknown } | undefined;
  const ref = parseChartRef(rawChart, typeof repoOpts?.repo === "string" && repoOpts.repo !== UNKNOWN ? repoOpts.repo : undefined);
  const helmName = typeof r.inputs.name === "string" ? `"${r.inputs.name}" ` : "";

  if (typeof version !== "string" || !version) {
    finding(
      `Helm release ${helmName}(${r.name}) installs chart ${ref.chart} with no version: Helm takes whatever the repository serves as newest when the stack is applied, so the plan cannot say which values the chart accepts, and a rerun may install another chart.`,
      `Pin the chart: set \`version\` to an exact chart version with vendored reference data (${vendoredVersions(ref.chart).join(", ") || "none vendored yet"}; vendor/helm-charts/SOURCES.md).`,
    );
    return out;
  }
  if (!/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
    finding(
      `Helm release ${helmName}(${r.name}) pins chart ${ref.chart} to "${version}", a range rather than one version: Helm resolves it when the stack is applied, so the values cannot be checked against the chart that will run.`,
      `Set \`version\` to one exact chart version (vendored: ${vendoredVersions(ref.chart).join(", ") || "none"}).`,
    );
    return out;
  }
  const chart = vendoredChart(ref.chart, version);
  if (!chart) {
    const known = vendoredVersions(ref.chart);
    finding(
      `${releaseLabel(r, ref.chart, version)}: pin without reference data: vendor/helm-charts holds no data for ${ref.chart} ${version} (${known.length ? `vendored versions: ${known.join(", ")}` : "no version of this chart is vendored"}), so its values cannot be checked against the chart's schema and key tree; a key the chart renamed would be dropped silently.`,
      `Vendor the chart's data for this version (npm run vendor:charts -- --from <dir>; see vendor/helm-charts/SOURCES.md), or pin a vendored version.`,
    );
    return out;
  }
  const label = releaseLabel(r, ref.chart, version);
  if (ref.repo && chart.meta.deprecated_repo_urls.map(normRepo).includes(normRepo(ref.repo))) {
    finding(
      `${label}: installs from ${ref.repo}, a repository the chart's maintainers deprecated (chart.json deprecated_repo_urls), which may stop serving new or even existing versions.`,
      `Install from ${chart.meta.repo_urls.join(" or ")} (for an oci:// registry, set \`chart: "<registry>/${ref.chart}"\` and drop repositoryOpts).`,
    );
  }

  const values = r.inputs.values;
  if (values === undefined || values === null) return out;
  if (isOpaque(values)) return out;
  if (!isPlainObject(values)) return out;

  const violations = cachedSchemaViolations(chart, values);
  if (typeof violations === "string") {
    finding(`${label}: ${violations}; Helm validates values against it on install, so the release cannot be checked offline.`, `Refresh the vendored data (npm run vendor:charts) or report the schema upstream.`);
  }
  const schemaRejects = new Set(typeof violations === "string" ? [] : violations.filter((v) => v.unknownKey).map((v) => fmt(v.unknownKey!)));

  const unknown: UnknownKey[] = [];
  unknownKeys(values, [rootCtx(chart)], [], unknown);
  const reportedUnknown = new Set<string>();
  for (const u of unknown) {
    const p = fmt(u.path);
    reportedUnknown.add(p);
    const rejected = [...schemaRejects].some((s) => underPath(p, s) || underPath(s, p));
    const effect = rejected
      ? "the chart's values.schema.json rejects it, so Helm refuses to install or upgrade the release"
      : "no template of this chart version reads it, so Helm drops it silently and the setting never applies";
    finding(`${label}: values key \`${p}\`: ${u.detail}; ${effect}.`, u.detail.startsWith("moved to") ? `Write it at its new path (${u.detail.slice("moved to ".length).split(" (")[0]}).` : `Remove the key or use one the chart defines (vendor/helm-charts/${chart.folder}/values.json, values.schema.json).`);
  }
  if (typeof violations !== "string") {
    for (const v of violations) {
      const p = fmt(v.path);
      if (v.unknownKey && [...reportedUnknown].some((u) => underPath(p, u) || underPath(u, p))) continue;
      finding(
        `${label}: values.schema.json rejects \`${p || "(root)"}\`: ${v.message}; Helm refuses to install or upgrade the release.`,
        `Give \`${p || "values"}\` a value the chart's schema accepts (vendor/helm-charts/${chart.folder}/values.schema.json).`,
      );
    }
  }
  return out;
}

export const chartValuesCheck: DeployCheck = {
  name: "chart-values",
  description:
    "every Helm release pins an exact chart version with vendored reference data, and its values pass the chart's values.schema.json and exist in the chart's key tree (unknown or moved keys are named)",
  run: (ctx) => ctx.resources.filter((r) => r.type === HELM_RELEASE_TYPE && !r.readId).flatMap(checkRelease),
};
