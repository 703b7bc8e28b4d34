/**
 * IAM members and roles as Google reads them. A member is `allUsers`, `allAuthenticatedUsers`, or
 * `<kind>:<id>` (`serviceAccount:x@p.iam.gserviceaccount.com`, `user:`, `group:`, `domain:`,
 * `principal://…`, `principalSet://…`, `projectOwner:p`, `deleted:…`). Anything else is not a
 * member the API accepts, and rules report it rather than skip it.
 */
import { isUnknown, list, plain, prop, str } from "./values";

export type MemberKind =
  | "public"
  | "serviceAccount"
  | "user"
  | "group"
  | "domain"
  | "principal"
  | "projectRole"
  | "deleted"
  | "unknown"
  | "invalid";

export interface Member {
  kind: MemberKind;
  raw: string;
}

/** The principals that mean "anyone" (`allUsers`) or "anyone with a Google account". */
export const PUBLIC_MEMBERS = new Set(["allUsers", "allAuthenticatedUsers"]);
/** The same in the principal-identifier syntax. */
const PUBLIC_PRINCIPALS = new Set(["principalSet://goog/public:all"]);

const PREFIXES: Record<string, MemberKind> = {
  serviceAccount: "serviceAccount",
  user: "user",
  group: "group",
  domain: "domain",
  principal: "principal",
  principalSet: "principal",
  projectOwner: "projectRole",
  projectEditor: "projectRole",
  projectViewer: "projectRole",
  deleted: "deleted",
};

export function parseMember(v: unknown): Member {
  if (isUnknown(v)) return { kind: "unknown", raw: "(unknown)" };
  const s = str(v);
  if (s === undefined) return { kind: "invalid", raw: JSON.stringify(plain(v)) ?? String(v) };
  if (PUBLIC_MEMBERS.has(s) || PUBLIC_PRINCIPALS.has(s)) return { kind: "public", raw: s };
  const m = /^([A-Za-z]+):(.+)$/.exec(s);
  const kind = m ? PREFIXES[m[1]] : undefined;
  if (!m || !kind) return { kind: "invalid", raw: s };
  // `principal://` and `principalSet://` keep their scheme in the id.
  if (kind === "principal" && !m[2].startsWith("//")) return { kind: "invalid", raw: s };
  return { kind, raw: s };
}

/** Basic (primitive) roles: thousands of permissions across every service of the project. */
export const BASIC_ROLES = new Set(["roles/owner", "roles/editor"]);

/** A basic role, or a predefined/custom role that administers a service (`roles/*Admin`, `roles/*.admin`). */
export function isAdminRole(role: string): boolean {
  if (BASIC_ROLES.has(role)) return true;
  const last = role.split(/[/.]/).pop() ?? "";
  return /admin$/i.test(last);
}

export interface Grant {
  role: string | "(unknown)";
  member: Member;
}

/**
 * The grants an IAM resource makes: `*IAMMember` (role, member), `*IAMBinding` (role, members[]),
 * `*IAMPolicy` (policyData, a JSON policy). `policyError` is set when a known policyData is not a
 * policy. Returns UNKNOWN-aware grants: an unknown member or role is kept as such.
 */
export function grantsOf(props: Record<string, unknown>): { grants: Grant[]; policyError?: string; unknownPolicy?: boolean } {
  const roleOf = (v: unknown) => (isUnknown(v) ? "(unknown)" : (str(v) ?? "(unknown)"));
  const raw = prop(props, "policyData");
  if (raw !== undefined) {
    if (isUnknown(raw)) return { grants: [], unknownPolicy: true };
    const text = str(raw);
    if (text === undefined) return { grants: [], policyError: "policyData is not a JSON string" };
    let policy: unknown;
    try {
      policy = JSON.parse(text);
    } catch {
      return { grants: [], policyError: "policyData is not valid JSON" };
    }
    if (policy === null || typeof policy !== "object" || Array.isArray(policy)) return { grants: [], policyError: "policyData is not a policy object" };
    const bindings = prop(policy, "bindings");
    if (bindings !== undefined && !Array.isArray(bindings)) return { grants: [], policyError: "policyData.bindings is not a list" };
    const grants: Grant[] = [];
    for (const b of list(bindings)) {
      const members = prop(b, "members");
      if (!Array.isArray(members)) return { grants: [], policyError: "a binding in policyData has no members list" };
      for (const m of list(members)) grants.push({ role: roleOf(prop(b, "role")), member: parseMember(m) });
    }
    return { grants };
  }
  const role = roleOf(prop(props, "role"));
  const member = prop(props, "member");
  if (member !== undefined) return { grants: [{ role, member: parseMember(member) }] };
  const members = prop(props, "members");
  if (isUnknown(members)) return { grants: [{ role, member: { kind: "unknown", raw: "(unknown)" } }] };
  return { grants: list(members).map((m) => ({ role, member: parseMember(m) })) };
}
