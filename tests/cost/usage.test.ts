/** Usage profiles: one per built platform and env, every figure sourced or assumed. */
import { describe, expect, it } from "vitest";
import { STACK_ENVS } from "../../model/envs";
import { PLATFORMS } from "../../stacks/registry";
import { usageProfile } from "../../stacks/usage";
import { stackSetting } from "../../stacks/budgets";
import { PROJECT_ROOT } from "../../engine/project";

describe("usage profiles", () => {
  it("has a profile for every built platform's envs, each figure with a source or an assumption", () => {
    for (const p of PLATFORMS) {
      for (const env of p.envs) {
        const profile = usageProfile(p.name, env, stackSetting(PROJECT_ROOT, `${p.name}-${env}`));
        expect(profile.platform).toBe(p.name);
        const figures = [...Object.values(profile.storedGb), ...Object.values(profile).filter((v) => v && typeof v === "object" && "value" in v)];
        for (const f of figures as { value: number; source?: string; assumption?: string }[]) {
          expect(f.value).toBeGreaterThanOrEqual(0);
          expect((f.source ?? f.assumption ?? "").length).toBeGreaterThan(10);
        }
      }
    }
    expect(STACK_ENVS.length).toBeGreaterThan(0);
  });

  it("takes CRM Courtier's stored GB from its document", () => {
    const prod = usageProfile("crm-courtier", "prod");
    expect(prod.storedGb.audio).toMatchObject({ value: 80, source: expect.stringContaining("80 GB audio + 60 GB documents par an") });
    expect(prod.storedGb.documents?.value).toBe(60);
  });

  it("names the platform and the file to add when a platform has no profile", () => {
    expect(() => usageProfile("newplatform", "prod")).toThrow(/no usage profile for platform "newplatform".*stacks\/usage\/newplatform\.ts/);
  });

  it("sizes CryptoCare's usage from the stack's phase, and refuses a stack without one", () => {
    const at = (phase: string) => usageProfile("cryptocare", "prod", (k) => (k === "phase" ? phase : undefined));
    // cryptocare.md § 1.2: 1,000 then 50,000 active users.
    expect(at("p3").cloudRunRequests.value).toBeGreaterThan(at("mvp").cloudRunRequests.value * 10);
    expect(() => usageProfile("cryptocare", "prod")).toThrow(/expected the stack's phase, one of mvp, p1, p2, p3, got undefined/);
  });
});
