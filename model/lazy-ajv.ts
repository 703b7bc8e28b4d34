/**
 * ajv and its companions, loaded on first use. Every schema check we run (Kubernetes objects,
 * Helm values, policy configs) keeps its results by content (model/content-cache.ts), so a
 * preview whose results all come from the cache needs no validator at all; loading ajv's ~80
 * modules up front would cost every such run for nothing.
 */
import { createRequire } from "node:module";

type AjvModule = typeof import("ajv");
type Ajv2019Module = typeof import("ajv/dist/2019");
type Ajv2020Module = typeof import("ajv/dist/2020");
type FormatsModule = typeof import("ajv-formats");
type StandaloneModule = typeof import("ajv/dist/standalone");

const load = createRequire(__filename);

/** The ajv package's version (a cache key part: another ajv may compile or report differently). */
export function ajvVersion(): string {
  return (load("ajv/package.json") as { version: string }).version;
}

export function loadAjv(): AjvModule {
  return load("ajv") as AjvModule;
}

export function loadAjv2019(): Ajv2019Module {
  return load("ajv/dist/2019") as Ajv2019Module;
}

export function loadAjv2020(): Ajv2020Module {
  return load("ajv/dist/2020") as Ajv2020Module;
}

export function loadAjvFormats(): FormatsModule {
  return load("ajv-formats") as FormatsModule;
}

export function loadStandaloneCode(): StandaloneModule {
  return load("ajv/dist/standalone") as StandaloneModule;
}
