/**
 * Artifact Registry: storage is billed per GB-month beyond 0.5 GB free, but vendor/pricing has no
 * Artifact Registry entry, so the line is listed as not priced rather than guessed.
 */
import type { RecordedResource } from "../../plan-values";
import type { CostLine } from "../types";
import { notPriced, str, type PricingContext } from "./common";

export function priceRepository(r: RecordedResource, _ctx: PricingContext): CostLine[] {
  return [notPriced(r, "storage", `${str(r.inputs.format) ?? "DOCKER"} repository in ${str(r.inputs.location) ?? "?"}`, "Artifact Registry storage: no vendored price (vendor/pricing has no artifactregistry entry)")];
}
