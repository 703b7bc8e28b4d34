/**
 * Validates Kubernetes objects offline, as the API server would on admission (schema only):
 * built-in kinds against the Kubernetes OpenAPI schemas shipped in `kubernetes-models`, custom
 * resources against the `openAPIV3Schema` of the CRDs vendored in `vendor/crds/<operator>/`
 * (see vendor/SOURCES.md § CRDs). Nothing outside the repository is read.
 *
 * What it cannot check: CEL rules (`x-kubernetes-validations`), admission webhooks, and anything
 * a controller decides later. Unknown values of a preview (provider-computed outputs) and blinded
 * secrets are opaque leaves: an error that is only about such a value is skipped, never reported.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { default as Ajv, ErrorObject, ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { cachedByContent, codeFingerprint, pruneDaily, sha256 } from "./content-cache";
import { ajvVersion, loadAjv, loadAjvFormats, loadStandaloneCode } from "./lazy-ajv";
import { containsOpaque, isOpaque, type RecordedResource } from "./plan-values";

/** A Kubernetes object as sent to the API server. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface KubernetesValidation {
  valid: boolean;
  /** `<JSON pointer>: <message>`, e.g. `/spec/replicas: must be integer`. */
  errors: string[];
}

/**
 * Where the vendored CRDs live: `vendor/crds` of the repository (this file is model/k8s-schema.ts),
 * or `vendor/crds` beside the policy pack's bundle (policies/build.ts copies them into
 * policies/dist, which `pulumi policy publish` ships without the rest of the repository).
 */
export const VENDORED_CRDS_DIR = [join(__dirname, "..", "vendor", "crds"), join(__dirname, "vendor", "crds")].find((dir) => existsSync(dir)) ?? join(__dirname, "..", "vendor", "crds");

const requireModel = createRequire(__filename);

// ---------------------------------------------------------------------------------------------
// JSON pointers into a validated object (opaque values: model/plan-values.ts isOpaque).

function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** True when the error is about an opaque value (or sits below one, or is a combinator over one). */
function isAboutOpaque(root: unknown, err: ErrorObject): boolean {
  let cur: unknown = root;
  for (const seg of pointerSegments(err.instancePath)) {
    if (isOpaque(cur)) return true;
    if (cur === null || typeof cur !== "object") return false;
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (isOpaque(cur)) return true;
  // anyOf/oneOf/not/if fail as a whole when a branch cannot be decided on an unknown descendant.
  if (["anyOf", "oneOf", "allOf", "not", "if"].includes(err.keyword) && containsOpaque(cur)) return true;
  return false;
}

function formatErrors(root: unknown, errors: readonly ErrorObject[] | null | undefined, prefix = ""): string[] {
  const out = new Set<string>();
  for (const e of errors ?? []) {
    if (isAboutOpaque(root, e)) continue;
    const path = prefix + (e.instancePath || "/");
    let message = e.message ?? e.keyword;
    if (e.keyword === "additionalProperties") message = `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    if (e.keyword === "enum") message += `: ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    out.add(`${path}: ${message}`);
  }
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Built-in kinds (kubernetes-models).

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** The kubernetes-models module of a built-in kind, or undefined when the names cannot be one. */
function builtInModelPath(apiVersion: string, kind: string): string | undefined {
  if (!/^[a-zA-Z0-9.\-/]+$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

function builtInModel(apiVersion: string, kind: string): ModelClass | undefined {
  const path = builtInModelPath(apiVersion, kind);
  if (!path) return undefined;
  try {
    return (requireModel(path) as Record<string, ModelClass>)[kind];
  } catch {
    return undefined;
  }
}

/** Whether kubernetes-models has the kind, without loading it (a cached result needs no model). */
function hasBuiltInModel(apiVersion: string, kind: string): boolean {
  const path = builtInModelPath(apiVersion, kind);
  if (!path) return false;
  try {
    requireModel.resolve(path);
    return true;
  } catch {
    return false;
  }
}

function validateWithModel(Model: ModelClass, obj: KubernetesObject): string[] {
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: ErrorObject[] }).errors;
    if (!errors) return [`/: ${(err as Error).message}`];
    return formatErrors(obj, errors);
  }
}

// ---------------------------------------------------------------------------------------------
// Custom resources (vendored CRDs).

interface CrdVersion {
  group: string;
  version: string;
  kind: string;
  file: string;
  schema: Record<string, unknown>;
}

let crdIndex: Map<string, CrdVersion> | undefined;
let ajv: Ajv | undefined;

function crdKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(entry)) out.push(p);
  }
  return out;
}

interface CrdDocument {
  kind?: string;
  spec?: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: Record<string, unknown> } }[];
  };
}

/** Served versions of the CRDs in one file, parsed once. */
function parseCrdFile(file: string, into: Map<string, CrdVersion>): void {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const crd = doc.toJS() as CrdDocument | null;
    if (!crd || crd.kind !== "CustomResourceDefinition" || !crd.spec) continue;
    for (const v of crd.spec.versions) {
      // An unserved version is rejected by the API server: leave it out, so that it reads as unknown.
      if (!v.served || !v.schema?.openAPIV3Schema) continue;
      const key = crdKey(`${crd.spec.group}/${v.name}`, crd.spec.names.kind);
      into.set(key, { group: crd.spec.group, version: v.name, kind: crd.spec.names.kind, file, schema: v.schema.openAPIV3Schema });
    }
  }
}

/**
 * `group/Kind` → CRD file, from a cheap scan of each file's `spec.group` and `spec.names.kind`
 * lines. Parsing all 2 MB of vendored YAML up front cost about a second per process; a stack
 * needs a handful of CRDs, so each file is parsed only when one of its kinds is validated.
 */
let crdFiles: Map<string, string> | undefined;
const parsedFiles = new Set<string>();

function crdFileIndex(dir = VENDORED_CRDS_DIR): Map<string, string> {
  if (crdFiles) return crdFiles;
  crdFiles = new Map();
  for (const file of yamlFiles(dir)) {
    // A file may hold several CRDs (kubernetes/autoscaler ships VPA and its checkpoints in one).
    for (const text of readFileSync(file, "utf8").split(/^---\s*$/m)) {
      const group = /^ {2}group: *['"]?([^\s'"]+)/m.exec(text)?.[1];
      const kind = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: *['"]?([A-Za-z0-9]+)/m.exec(text)?.[1];
      if (group && kind) crdFiles.set(`${group}/${kind}`, file);
    }
  }
  return crdFiles;
}

function lookupCrd(apiVersion: string, kind: string): CrdVersion | undefined {
  crdIndex ??= new Map();
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  const file = crdFileIndex().get(`${group}/${kind}`);
  if (file && !parsedFiles.has(file)) {
    parseCrdFile(file, crdIndex);
    parsedFiles.add(file);
  }
  return crdIndex.get(crdKey(apiVersion, kind));
}

/** Every CRD version the vendored files serve (parses all of them). */
function loadCrds(): Map<string, CrdVersion> {
  crdIndex ??= new Map();
  for (const file of crdFileIndex().values()) {
    if (parsedFiles.has(file)) continue;
    parseCrdFile(file, crdIndex);
    parsedFiles.add(file);
  }
  return crdIndex;
}

/** `group/version/Kind` of every custom resource the vendored CRDs serve. */
export function vendoredCustomResourceKinds(): string[] {
  return [...loadCrds().keys()].sort();
}

/**
 * The API server prunes (or, with strict field validation, rejects) fields a structural schema
 * does not declare; a typo in a CR would silently vanish. Declared objects therefore get
 * `additionalProperties: false` unless they preserve unknown fields. Combinator branches are left
 * alone: they only restate constraints on properties declared elsewhere.
 */
function closeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeSchema);
  if (!schema || typeof schema !== "object") return schema;
  const s = { ...(schema as Record<string, unknown>) };
  if (s.properties && typeof s.properties === "object") {
    s.properties = Object.fromEntries(Object.entries(s.properties as Record<string, unknown>).map(([k, v]) => [k, closeSchema(v)]));
    if (s.additionalProperties === undefined && s["x-kubernetes-preserve-unknown-fields"] !== true) s.additionalProperties = false;
  }
  if (s.items) s.items = closeSchema(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === "object") s.additionalProperties = closeSchema(s.additionalProperties);
  return s;
}

/**
 * CRD patterns are RE2 (Go) expressions. The one RE2 feature CRDs use that JavaScript lacks is a
 * leading inline flag group `(?i)` (prometheus-operator's PrometheusRule has
 * `^(?i)(abort|warn)?$`). It is rewritten into the equivalent case-insensitive pattern, letter by
 * letter (`[aA][bB]...`), so that the schema stays plain JSON Schema and its compiled validator can
 * be cached as code.
 */
export function re2ToJsPattern(pattern: string): string {
  const m = /^(\^?)\(\?i\)/.exec(pattern);
  if (!m) return pattern;
  const body = pattern.slice(m[0].length);
  const swap = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
  let out = m[1];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") {
      out += c + (body[i + 1] ?? "");
      i++;
    } else if (c === "[") {
      // A class gets the other case of its letters and ranges: [a-c_] → [a-c_A-C].
      let j = i + 1;
      let content = "";
      if (body[j] === "^") content += body[j++];
      let extra = "";
      for (; j < body.length && body[j] !== "]"; j++) {
        if (body[j] === "\\") {
          content += body[j] + (body[j + 1] ?? "");
          j++;
          continue;
        }
        content += body[j];
        if (/[a-z]/i.test(body[j])) extra += swap(body[j]);
        else if (body[j] === "-" && extra && /[a-z]/i.test(body[j + 1] ?? "")) extra += "-";
      }
      out += `[${content}${extra}]`;
      i = j;
    } else if (/[a-z]/i.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else {
      out += c;
    }
  }
  return out;
}

function normalizePatterns(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalizePatterns);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    out[k] = k === "pattern" && typeof v === "string" ? re2ToJsPattern(v) : normalizePatterns(v);
  }
  return out;
}

/** Formats Kubernetes accepts without checking most of them (apiextensions-apiserver). */
const UNCHECKED_FORMATS = ["int-or-string", "int8", "int16", "uint8", "uint16", "uint32", "uint64", "quantity", "duration", "cidr", "mac", "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "bsonobjectid"];

function getAjv(): Ajv {
  if (ajv) return ajv;
  // OpenAPI v3 as Kubernetes uses it: draft-07-like, `nullable`, `x-kubernetes-*` extensions
  // (ignored as annotations), formats Kubernetes knows. `source: true` keeps the generated code,
  // so a compiled validator can be written to the cache below.
  const { default: AjvClass, _ } = loadAjv();
  ajv = new AjvClass({
    strict: false,
    allErrors: true,
    logger: false,
    validateSchema: false,
    code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  loadAjvFormats().default(ajv);
  for (const f of UNCHECKED_FORMATS) ajv.addFormat(f, true);
  return ajv;
}

/**
 * Compiled CRD validators are cached as code under node_modules/.cache: parsing and compiling the
 * large CRDs (Strimzi's Kafka, OT's RedisCluster, cert-manager's issuers) took about two seconds in
 * every process that validated one. The key covers the CRD file's bytes, the served version and
 * kind, the ajv version and the source of the functions that turn a CRD into the compiled schema
 * (closeSchema, normalizePatterns, getAjv's options), so a new CRD or a new schema rule never
 * reads a stale validator.
 */
let schemaCode: string | undefined;
const schemaCodeFingerprint = (): string => (schemaCode ??= codeFingerprint([closeSchema, normalizePatterns, re2ToJsPattern, getAjv]));
const CACHE_DIR = join(__dirname, "..", "node_modules", ".cache", "platform-infra", "crd-validators");
const requireCached = createRequire(join(CACHE_DIR, "index.js"));
const validators = new Map<string, ValidateFunction | null>();

/** The cache file of one served CRD version: keyed by the CRD file's bytes, so a hit needs no YAML parsing. */
function cacheFile(file: string, apiVersion: string, kind: string): string {
  const key = createHash("sha256").update(`${schemaCodeFingerprint()}\n${ajvVersion()}\n${apiVersion}\n${kind}\n`).update(readFileSync(file)).digest("hex").slice(0, 32);
  return join(CACHE_DIR, `${apiVersion.replace(/\//g, "_")}_${kind}_${key}.js`);
}

/** The validator of a custom resource kind, or null when no vendored CRD serves it. */
function crdValidator(apiVersion: string, kind: string): ValidateFunction | null {
  const memoKey = crdKey(apiVersion, kind);
  const memo = validators.get(memoKey);
  if (memo !== undefined) return memo;
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  const file = crdFileIndex().get(`${group}/${kind}`);
  let validate: ValidateFunction | null = null;
  if (file) {
    const cached = cacheFile(file, apiVersion, kind);
    if (existsSync(cached)) {
      try {
        validate = requireCached(cached) as ValidateFunction;
      } catch {
        validate = null; // a damaged entry is recompiled below
      }
    }
    if (!validate) {
      const crd = lookupCrd(apiVersion, kind);
      if (crd) {
        validate = getAjv().compile(normalizePatterns(closeSchema(crd.schema)) as Record<string, unknown>);
        writeCache(cached, validate);
      }
    }
  }
  validators.set(memoKey, validate);
  return validate;
}

function writeCache(file: string, validate: ValidateFunction): void {
  try {
    pruneDaily(CACHE_DIR);
    mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename: parallel test workers never read a half-written file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, loadStandaloneCode().default(getAjv(), validate));
    renameSync(tmp, file);
  } catch {
    // The cache is an optimisation: a read-only tree still validates, only slower.
  }
}

// The metadata of a CR is declared only as `type: object` in CRDs; the API server checks it as an ObjectMeta.
function validateMetadata(obj: KubernetesObject): string[] {
  if (obj.metadata === undefined) return [];
  const ConfigMap = builtInModel("v1", "ConfigMap")!;
  return validateWithModel(ConfigMap, { apiVersion: "v1", kind: "ConfigMap", metadata: obj.metadata }).filter((e) => e.startsWith("/metadata"));
}

// ---------------------------------------------------------------------------------------------

/** Validates one Kubernetes object: a built-in kind or a custom resource of a vendored CRD. */
/**
 * Validation is a pure function of the object and the vendored schemas, and the same objects come
 * back often (the pack sees a resource once per rule run; a plan is checked by the preview, the
 * policy CLI and the tests): results are kept by the object's JSON, in a bounded map.
 */
const VALIDATION_CACHE_LIMIT = 5_000;
const validationCache = new Map<string, KubernetesValidation>();

export function validateKubernetesObject(obj: KubernetesObject): KubernetesValidation {
  if (!obj || typeof obj !== "object") return { valid: false, errors: ["/: not an object"] };
  const key = JSON.stringify(obj);
  const cached = validationCache.get(key);
  if (cached) return { valid: cached.valid, errors: [...cached.errors] };
  const identity = schemaIdentity(obj.apiVersion, obj.kind);
  // Without a schema the answer is cheap (no validator to load) and depends on the whole CRD index: not cached.
  const result = identity ? cachedByContent("k8s-validation", [validationCodeFingerprint(), identity, key], () => validateUncached(obj)) : validateUncached(obj);
  if (validationCache.size >= VALIDATION_CACHE_LIMIT) validationCache.clear();
  validationCache.set(key, { valid: result.valid, errors: [...result.errors] });
  return result;
}

/**
 * What a kind's validation result depends on besides the object: the CRD file's bytes (with
 * ajv's version) for a custom resource, kubernetes-models' version for a built-in kind (the
 * metadata of both is checked with kubernetes-models too); undefined when no schema serves it.
 */
const identities = new Map<string, string | undefined>();
function schemaIdentity(apiVersion: unknown, kind: unknown): string | undefined {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  const memoKey = crdKey(apiVersion, kind);
  if (identities.has(memoKey)) return identities.get(memoKey);
  const modelsVersion = (requireModel("kubernetes-models/package.json") as { version: string }).version;
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  const file = crdFileIndex().get(`${group}/${kind}`);
  let identity: string | undefined;
  if (file) identity = sha256("crd", apiVersion, kind, ajvVersion(), modelsVersion, readFileSync(file, "utf8"));
  else if (hasBuiltInModel(apiVersion, kind)) identity = sha256("built-in", apiVersion, kind, modelsVersion);
  identities.set(memoKey, identity);
  return identity;
}

/** Every function a validation result passes through: editing one of them changes every cache key. */
let validationCode: string | undefined;
function validationCodeFingerprint(): string {
  validationCode ??= codeFingerprint([validateUncached, validateMetadata, validateWithModel, formatErrors, isAboutOpaque, pointerSegments, crdValidator, closeSchema, normalizePatterns, re2ToJsPattern, getAjv, builtInModel, builtInModelPath]);
  return validationCode;
}

function validateUncached(obj: KubernetesObject): KubernetesValidation {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !apiVersion || !kind) {
    return { valid: false, errors: ["/: apiVersion and kind must be non-empty strings"] };
  }
  const validate = crdValidator(apiVersion, kind);
  let errors: string[];
  if (validate) {
    errors = validate(obj) ? [] : formatErrors(obj, validate.errors);
    errors.push(...validateMetadata(obj));
  } else {
    const Model = builtInModel(apiVersion, kind);
    if (!Model) {
      const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
      lookupCrd(`${group}/`, kind);
      const served = [...(crdIndex?.values() ?? [])].filter((c) => c.group === group && c.kind === kind).map((c) => `${c.group}/${c.version}`);
      const hint = served.length ? ` (the vendored CRD serves ${served.join(", ")})` : "";
      return { valid: false, errors: [`/: no schema for ${apiVersion} ${kind}: not a built-in kind and no vendored CRD in vendor/crds serves it${hint}`] };
    }
    errors = validateWithModel(Model, obj);
  }
  return { valid: errors.length === 0, errors: [...new Set(errors)] };
}

/**
 * The Kubernetes object a recorded Pulumi resource sends to the API server, or undefined for a
 * resource that is not one (providers, components, Helm releases, `*Patch` and `*List` types,
 * `yaml`/`helm` wrappers).
 */
export function kubernetesObjectOf(resource: Pick<RecordedResource, "type" | "inputs" | "custom">): KubernetesObject | undefined {
  const m = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(resource.type);
  if (!m || !resource.custom) return undefined;
  const [, typeVersion, typeKind] = m;
  if (typeVersion.startsWith("helm.sh/") || typeVersion.startsWith("yaml/") || typeVersion.startsWith("kustomize/")) return undefined;
  if (typeKind.endsWith("Patch") || typeKind.endsWith("List")) return undefined;
  // Type tokens spell the core group `core/v1`; the object says `v1`.
  const apiVersion = typeof resource.inputs.apiVersion === "string" ? resource.inputs.apiVersion : typeVersion.replace(/^core\//, "");
  const kind = typeof resource.inputs.kind === "string" ? resource.inputs.kind : typeKind;
  return { ...resource.inputs, apiVersion, kind } as KubernetesObject;
}

/** Validates a recorded resource if it is a Kubernetes object; undefined otherwise. */
export function validateRecordedResource(resource: Pick<RecordedResource, "type" | "inputs" | "custom">): KubernetesValidation | undefined {
  const obj = kubernetesObjectOf(resource);
  return obj ? validateKubernetesObject(obj) : undefined;
}
