/**
 * Cloud SQL instances (Enterprise and Enterprise Plus): compute by tier (custom shape, shared core,
 * perf-optimized), HA doubling, disk, backups, read replicas.
 *
 * Sources (vendor/pricing/gcp-prices.json): `cloudsql.*`. HA: "REGIONAL (HA) vCPU, RAM, storage and
 * shared-core SKUs are 2x ZONAL" (`cloudsql.ha_multiplier.global`). A read replica is "billed as its
 * own instance at ZONAL vCPU/RAM/storage rates" with no backups (`cloudsql.read_replica_rule.global`).
 * Backups are priced as retained count × provisioned disk: an upper bound (backups after the first are
 * incremental and hold only the data written, not the disk size).
 */
import type { RecordedResource } from "../../plan-values";
import type { CostLine } from "../types";
import { PriceLookup } from "../prices";
import { HOURS_PER_MONTH, notPriced, num, obj, priced, regionOf, str, usd, type PricingContext } from "./common";

interface TierShape {
  /** Price per instance-hour for shared-core tiers. */
  sharedCoreKey?: string;
  vcpu?: number;
  ramGiB?: number;
  edition: "ENTERPRISE" | "ENTERPRISE_PLUS";
}

/** `db-custom-2-7680` → 2 vCPU, 7.5 GiB; `db-perf-optimized-N-4` → 4 vCPU, 32 GiB (8 GiB per vCPU); shared-core tiers by name. */
export function tierShape(tier: string): TierShape | undefined {
  const custom = /^db-custom-(\d+)-(\d+)$/.exec(tier);
  if (custom) return { vcpu: Number(custom[1]), ramGiB: Number(custom[2]) / 1024, edition: "ENTERPRISE" };
  const perf = /^db-perf-optimized-N-(\d+)$/.exec(tier);
  if (perf) return { vcpu: Number(perf[1]), ramGiB: Number(perf[1]) * 8, edition: "ENTERPRISE_PLUS" };
  if (tier === "db-f1-micro" || tier === "db-g1-small") return { sharedCoreKey: `cloudsql.${tier}.hour.zonal`, edition: "ENTERPRISE" };
  return undefined;
}

export function priceCloudSql(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const settings = obj(r.inputs.settings) ?? {};
  const tier = str(settings.tier);
  const region = regionOf(r, ctx);
  if (!tier || !region) return [notPriced(r, "instance", tier ?? "tier unknown", `Cloud SQL: ${!tier ? "settings.tier" : "region"} is not known at preview`)];
  const shape = tierShape(tier);
  if (!shape) return [notPriced(r, "instance", tier, `Cloud SQL tier ${tier}: no price model (expected db-custom-N-M, db-perf-optimized-N-n, db-f1-micro or db-g1-small)`)];
  const replica = !!str(r.inputs.masterInstanceName);
  const ha = !replica && settings.availabilityType === "REGIONAL";
  const lines: CostLine[] = [];
  const haText = ha ? " regional (HA)" : replica ? " read replica" : " zonal";

  // Compute.
  {
    const p = new PriceLookup(ctx.tables);
    const factor = ha ? p.usd("cloudsql.ha_multiplier.global") : 1;
    const haF = ha ? ` × ${factor} (HA)` : "";
    if (shape.sharedCoreKey) {
      const h = p.cloudSqlRegional(shape.sharedCoreKey, region);
      lines.push(priced(r, "instance", `${tier}${haText}`, h.usd * HOURS_PER_MONTH * factor, `${usd(h.usd)}/h × ${HOURS_PER_MONTH} h${haF}${h.note}`, p));
    } else {
      const plus = shape.edition === "ENTERPRISE_PLUS" ? "enterprise_plus." : "";
      const cpu = p.cloudSqlRegional(`cloudsql.${plus}vcpu_hour.zonal`, region);
      const ram = p.cloudSqlRegional(`cloudsql.${plus}ram_gb_hour.zonal`, region);
      const monthly = (shape.vcpu! * cpu.usd + shape.ramGiB! * ram.usd) * HOURS_PER_MONTH * factor;
      lines.push(
        priced(
          r,
          "instance",
          `${tier}${haText}`,
          monthly,
          `(${shape.vcpu} vCPU × ${usd(cpu.usd)}/h + ${shape.ramGiB} GiB × ${usd(ram.usd)}/h) × ${HOURS_PER_MONTH} h${haF}${cpu.note}${ram.note}`,
          p,
        ),
      );
    }
  }

  // Disk.
  const diskGb = num(settings.diskSize) ?? 10;
  if (num(settings.diskSize) === undefined) ctx.assume(`${r.name}: Cloud SQL disk size not set, priced at the 10 GB default`);
  const diskType = str(settings.diskType) ?? "PD_SSD";
  {
    const p = new PriceLookup(ctx.tables);
    const factor = ha ? p.usd("cloudsql.ha_multiplier.global") : 1;
    const key = diskType === "PD_HDD" ? "cloudsql.hdd_gb_month.zonal" : "cloudsql.ssd_gb_month.zonal";
    const gb = p.cloudSqlRegional(key, region);
    const auto = settings.diskAutoresize === true ? `, autoresize up to ${num(settings.diskAutoresizeLimit) ?? "unlimited"} GB` : "";
    lines.push(priced(r, "disk", `${diskGb} GB ${diskType === "PD_HDD" ? "HDD" : "SSD"}${ha ? " ×2 (HA)" : ""}${auto}`, diskGb * gb.usd * factor, `${diskGb} GB × ${usd(gb.usd)}/GB-month${ha ? ` × ${factor} (HA)` : ""}${gb.note}`, p));
  }

  // Backups (none for a replica).
  const backup = obj(settings.backupConfiguration);
  if (!replica && backup?.enabled === true) {
    const retained = num(obj(backup.backupRetentionSettings)?.retainedBackups) ?? 7;
    const p = new PriceLookup(ctx.tables);
    const gb = p.cloudSqlRegional("cloudsql.backup_gb_month", region);
    lines.push(
      priced(
        r,
        "backups",
        `${retained} retained × ${diskGb} GB (upper bound)`,
        retained * diskGb * gb.usd,
        `${retained} backups × ${diskGb} GB × ${usd(gb.usd)}/GB-month: upper bound, each backup counted as a full disk copy (backups after the first are incremental)${gb.note}`,
        p,
      ),
    );
  }
  return lines;
}
