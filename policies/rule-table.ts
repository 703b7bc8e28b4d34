/**
 * The README's rule table, rendered from the rules' own metadata (tests/policies/meta.test.ts
 * checks the README is current). Regenerate: `npm run generate`.
 */
import { join } from "node:path";
import { policies } from "./pack";
import { metaOf } from "./lib/rule";
import { COST_RULE } from "./cost/platform-cost-stack-restrict-monthly-cost";

/** Rules whose level the generator decides from a fact rather than from the env (policies/config/generate.ts). */
const FACT_DECIDED_LEVEL: Record<string, string> = {
  [COST_RULE]: "advisory; mandatory where the document makes the budget a hard limit",
};

export const README = join(__dirname, "README.md");
const BEGIN = "<!-- rule-table:begin -->";
const END = "<!-- rule-table:end -->";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function ruleTable(): string {
  const rows = policies.map((p) => {
    const m = metaOf(p.name);
    const level =
      FACT_DECIDED_LEVEL[p.name] ??
      (p.enforcementLevel === "mandatory" ? "mandatory (always)" : m.advisory ? "advisory (always)" : m.scope === "prod" ? "prod only: mandatory" : "prod: mandatory; else advisory");
    const resources = m.resources.map((r) => `\`${cell(r)}\``).join(", ");
    return `| \`${p.name}\` | ${m.domain} | ${cell(p.description)} | ${resources} | ${p.severity} | ${level} | ${cell(m.source)} |`;
  });
  return ["| rule | domain | what | resources | severity | level | source |", "|---|---|---|---|---|---|---|", ...rows].join("\n");
}

/** The README with its table section replaced by the current table. */
export function readmeWithTable(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${README}: missing ${BEGIN} / ${END} markers`);
  return `${readme.slice(0, start + BEGIN.length)}\n${ruleTable()}\n${readme.slice(end)}`;
}
