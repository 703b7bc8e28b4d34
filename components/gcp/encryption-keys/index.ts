/**
 * Customer-managed encryption keys (CMEK) for one region: a Cloud KMS key ring and one symmetric
 * ENCRYPT_DECRYPT key per purpose (`database`, `storage`, `secrets`), rotated at most every 90
 * days, protected from deletion, and usable by the Google service agents that encrypt on the
 * platform's behalf (Cloud SQL, Cloud Storage, Secret Manager, Memorystore for Redis, Pub/Sub, Artifact Registry).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type IamBindings, type Labels } from "../../common/conventions";
import { serviceAgentMember } from "../../common/service-agents";

export const ENCRYPTION_KEYS_TYPE = "platform:gcp:EncryptionKeys";

/** The role a service agent needs to use a key for CMEK. */
export const ENCRYPTER_DECRYPTER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

/**
 * Policy ceiling on key rotation (task brief: "rotation ≤ 90 days"; the usual PCI-DSS / CIS
 * practice). Cloud KMS itself accepts longer periods, so the component enforces it.
 */
export const MAX_ROTATION_DAYS = 90;

/** Google service agents a key can be granted to. */
export type ServiceAgent = "artifact-registry" | "cloud-sql" | "cloud-storage" | "secret-manager" | "cloud-redis" | "pubsub";

/**
 * How each agent is created without an invoke: every agent is ensured (created if missing) by a
 * `gcp.projects.ServiceIdentity` (serviceusage `services.generateServiceIdentity`) that its grants
 * depend on. Cloud SQL's and Secret Manager's return their `member`. The Cloud Storage agent is
 * not created with the project or the API ("not initially available ... activated the first time
 * it's accessed", cloud.google.com/storage/docs/projects#service-agents); generateServiceIdentity
 * creates it but returns no email (terraform-provider-google#18649: `gcloud beta services identity
 * create --service=storage.googleapis.com` → "Service identity created"), so its address is
 * derived from the project number (`service-PROJECT_NUMBER@gs-project-accounts.iam.gserviceaccount.com`).
 * Memorystore's and Pub/Sub's addresses are derived the same way, from the formats Google documents
 * for their CMEK grants (cloud.google.com/memorystore/docs/redis/about-cmek: "service-PROJECT_NUMBER@cloud-redis.iam.gserviceaccount.com";
 * Pub/Sub: `service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com`), so that no grant depends
 * on generateServiceIdentity returning an email for them.
 *
 * Per agent: `api`, the service whose identity is ensured; `derived`, for agents whose address is
 * derived from the project number, the domain of `service-<number>@<domain>.iam.gserviceaccount.com`
 * and the name errors use. Key order is the order agents are created in: new agents go at the end,
 * so existing plans keep theirs.
 */
const AGENT_TABLE: Record<ServiceAgent, { api: string; derived?: { domain: string; label: string } }> = {
  "artifact-registry": { api: "artifactregistry.googleapis.com" },
  "cloud-sql": { api: "sqladmin.googleapis.com" },
  "cloud-storage": { api: "storage.googleapis.com", derived: { domain: "gs-project-accounts", label: "Cloud Storage" } },
  "secret-manager": { api: "secretmanager.googleapis.com" },
  "cloud-redis": { api: "redis.googleapis.com", derived: { domain: "cloud-redis", label: "Memorystore for Redis" } },
  pubsub: { api: "pubsub.googleapis.com", derived: { domain: "gcp-sa-pubsub", label: "Pub/Sub" } },
};

/** One key of the ring. */
export interface KeyArgs {
  /**
   * Google service agents granted `roles/cloudkms.cryptoKeyEncrypterDecrypter` on this key.
   * `cloud-storage`, `cloud-redis` and `pubsub` need the component's `projectNumber`.
   * @default []
   */
  serviceAgents?: ServiceAgent[];
  /**
   * Extra grants on this key, role → members (`serviceAccount:app@p.iam.gserviceaccount.com`).
   * Only `roles/cloudkms.*` roles; `allUsers` / `allAuthenticatedUsers` are refused.
   * @default {}
   */
  iam?: IamBindings;
  /**
   * Rotation period of this key in whole days (1–90).
   * @default the component's `rotationDays`
   */
  rotationDays?: number;
  /**
   * Protection level of this key's versions.
   * @default the component's `protectionLevel`
   */
  protectionLevel?: "SOFTWARE" | "HSM";
}

export interface EncryptionKeysArgs extends CommonArgs {
  /**
   * Location of the key ring: the stack's region (e.g. `europe-west1`). CMEK keys must sit in the
   * same location as the Cloud SQL instance or bucket they encrypt.
   */
  location: string;
  /**
   * Project of the key ring and service identities.
   * @default the provider's project
   */
  project?: string;
  /**
   * Project number, from which the Cloud Storage, Memorystore and Pub/Sub service agents'
   * addresses are derived. Required when a key lists `cloud-storage`, `cloud-redis` or `pubsub`.
   * @default undefined
   */
  projectNumber?: string;
  /** Keys by purpose (`database`, `storage`, `secrets`); at least one. Purposes are lowercase RFC 1035 names. */
  keys: Record<string, KeyArgs>;
  /**
   * Default rotation period, in whole days; at most 90 (policy: rotation ≤ 90 days).
   * @default 90
   */
  rotationDays?: number;
  /**
   * Default protection level. `HSM` keys live in Cloud HSM (FIPS 140-2 level 3) and cost more.
   * @default "SOFTWARE"
   */
  protectionLevel?: "SOFTWARE" | "HSM";
}

export interface ResolvedKey {
  serviceAgents: ServiceAgent[];
  iam: IamBindings;
  rotationDays: number;
  /** `rotationDays` in the API's format, e.g. `7776000s` for 90 days. */
  rotationPeriod: string;
  protectionLevel: "SOFTWARE" | "HSM";
}

export interface ResolvedEncryptionKeysArgs {
  location: string;
  project?: string;
  projectNumber?: string;
  labels: Labels;
  deletionProtection: boolean;
  keys: Record<string, ResolvedKey>;
  /** Agents used by at least one key, in a stable order. */
  serviceAgents: ServiceAgent[];
}

const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const AGENTS = Object.keys(AGENT_TABLE) as ServiceAgent[];
const MEMBER = /^(serviceAccount|user|group|domain|principal|principalSet):\S+$/;

/** Applies the defaults and refuses contradictions; the constructor builds only from its result. */
export function resolveEncryptionKeysArgs(name: string, args: EncryptionKeysArgs): ResolvedEncryptionKeysArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(ENCRYPTION_KEYS_TYPE, name, detail);
  };
  if (!args.location || !/^[a-z][-a-z0-9]*[a-z0-9]$/.test(args.location)) fail(`location "${args.location}" is not a KMS location such as "europe-west1"`);
  if (args.projectNumber !== undefined && !/^\d+$/.test(args.projectNumber)) fail(`projectNumber "${args.projectNumber}" must be the numeric project number, not the project id`);

  const checkRotation = (where: string, days: number): void => {
    if (!Number.isInteger(days) || days < 1) fail(`${where} must be a whole number of days ≥ 1 (Cloud KMS refuses periods under a day), got ${days}`);
    if (days > MAX_ROTATION_DAYS) fail(`${where} is ${days} days: policy requires key rotation at most every ${MAX_ROTATION_DAYS} days`);
  };
  const defaultRotation = args.rotationDays ?? MAX_ROTATION_DAYS;
  checkRotation("rotationDays", defaultRotation);
  const defaultProtection = args.protectionLevel ?? "SOFTWARE";

  const entries = Object.entries(args.keys ?? {});
  if (entries.length === 0) fail("keys: at least one key purpose is required");

  const keys: Record<string, ResolvedKey> = {};
  const used = new Set<ServiceAgent>();
  for (const [purpose, key] of entries) {
    const where = `keys.${purpose}`;
    if (!RFC1035.test(purpose) || purpose.length > 30) fail(`${where}: purposes must be lowercase RFC 1035 names of at most 30 characters`);
    const rotationDays = key.rotationDays ?? defaultRotation;
    checkRotation(`${where}.rotationDays`, rotationDays);
    const serviceAgents = [...new Set(key.serviceAgents ?? [])];
    for (const agent of serviceAgents) {
      if (!AGENTS.includes(agent)) fail(`${where}.serviceAgents: unknown agent "${agent}" (known: ${AGENTS.join(", ")})`);
      const derived = AGENT_TABLE[agent].derived;
      if (derived && args.projectNumber === undefined) {
        fail(`${where}.serviceAgents lists "${agent}" but projectNumber is not set: the ${derived.label} agent's address is derived from it`);
      }
      used.add(agent);
    }
    const iam: IamBindings = {};
    for (const [role, members] of Object.entries(key.iam ?? {})) {
      // A key's IAM is about using the key; administration stays at the project level.
      if (!role.startsWith("roles/cloudkms.") || role === "roles/cloudkms.admin") fail(`${where}.iam: role "${role}" is not a Cloud KMS key-usage role`);
      for (const m of members) {
        if (m === "allUsers" || m === "allAuthenticatedUsers") fail(`${where}.iam["${role}"]: ${m} would make the key public`);
        if (!MEMBER.test(m)) fail(`${where}.iam["${role}"]: "${m}" is not an IAM member such as "serviceAccount:app@p.iam.gserviceaccount.com"`);
      }
      iam[role] = [...new Set(members)];
    }
    keys[purpose] = {
      serviceAgents,
      iam,
      rotationDays,
      rotationPeriod: `${rotationDays * 86_400}s`,
      protectionLevel: key.protectionLevel ?? defaultProtection,
    };
  }

  return {
    location: args.location,
    project: args.project,
    projectNumber: args.projectNumber,
    labels: mergeLabels(args.labels),
    deletionProtection: args.deletionProtection ?? true,
    keys,
    serviceAgents: AGENTS.filter((a) => used.has(a)),
  };
}

export class EncryptionKeys extends pulumi.ComponentResource {
  public readonly keyRingId: pulumi.Output<string>;
  /** Key ids (`projects/…/cryptoKeys/…`) by purpose, known as soon as the keys exist. */
  public readonly keyIds: pulumi.Output<Record<string, string>>;
  /**
   * Key ids by purpose that resolve only once every grant on the keys is in place. Pass these as
   * `kmsKeyName` / `encryptionKeyName`: the dependency on the IAM grants then comes for free.
   */
  public readonly grantedKeyIds: pulumi.Output<Record<string, string>>;
  /** Service agent members (`serviceAccount:…`) by agent, for the agents in use. */
  public readonly serviceAgentMembers: pulumi.Output<Record<string, string>>;
  /**
   * The IAM grants by purpose. A bucket or database that uses a key must depend on them
   * (`dependsOn: keys.grants.storage`), or its creation fails with a permission error.
   */
  public readonly grants: Record<string, gcp.kms.CryptoKeyIAMMember[]>;

  constructor(name: string, args: EncryptionKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ENCRYPTION_KEYS_TYPE, name, {}, opts);
    const r = resolveEncryptionKeysArgs(name, args);
    // Destroying a key destroys every piece of data it encrypts: keys follow deletion protection.
    // Key rings cannot be deleted at all in GCP; protecting it keeps Pulumi from forgetting it.
    const stateful = statefulChildOptions(this, r.deletionProtection);

    const keyRing = new gcp.kms.KeyRing(`${name}-keyring`, { project: r.project, location: r.location }, stateful);

    const agentMembers: Partial<Record<ServiceAgent, pulumi.Output<string>>> = {};
    const agentIdentities: Partial<Record<ServiceAgent, gcp.projects.ServiceIdentity>> = {};
    for (const agent of r.serviceAgents) {
      const identity = new gcp.projects.ServiceIdentity(`${name}-${agent}-agent`, { project: r.project, service: AGENT_TABLE[agent].api }, { parent: this });
      agentIdentities[agent] = identity;
      const derived = AGENT_TABLE[agent].derived;
      agentMembers[agent] = derived ? pulumi.output(serviceAgentMember(r.projectNumber!, derived.domain)) : identity.member;
    }

    const keys: Record<string, gcp.kms.CryptoKey> = {};
    this.grants = {};
    for (const [purpose, key] of Object.entries(r.keys)) {
      const cryptoKey = new gcp.kms.CryptoKey(
        `${name}-${purpose}`,
        {
          keyRing: keyRing.id,
          purpose: "ENCRYPT_DECRYPT",
          rotationPeriod: key.rotationPeriod,
          versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: key.protectionLevel },
          labels: mergeLabels(r.labels, { purpose }),
          // The provider's own guard, in addition to Pulumi's protect.
          deletionPolicy: r.deletionProtection ? "PREVENT" : "DELETE",
        },
        stateful,
      );
      keys[purpose] = cryptoKey;
      const grants: gcp.kms.CryptoKeyIAMMember[] = [];
      for (const agent of key.serviceAgents) {
        grants.push(
          new gcp.kms.CryptoKeyIAMMember(
            `${name}-${purpose}-${agent}`,
            { cryptoKeyId: cryptoKey.id, role: ENCRYPTER_DECRYPTER_ROLE, member: agentMembers[agent]! },
            // A derived address carries no dependency: wait for the agent explicitly.
            { parent: this, dependsOn: [agentIdentities[agent]!] },
          ),
        );
      }
      for (const [role, members] of Object.entries(key.iam)) {
        for (const member of members) {
          grants.push(
            new gcp.kms.CryptoKeyIAMMember(
              `${name}-${purpose}-${slug(role.replace(/^roles\/cloudkms\./, ""))}-${slug(member)}`,
              { cryptoKeyId: cryptoKey.id, role, member },
              { parent: this },
            ),
          );
        }
      }
      this.grants[purpose] = grants;
    }

    const allGrants = Object.values(this.grants).flat();
    this.keyRingId = keyRing.id;
    this.keyIds = pulumi.all(Object.fromEntries(Object.entries(keys).map(([p, k]) => [p, k.id])));
    // Combining with the grants' ids carries them as dependencies of whatever consumes the result.
    const grantIds: pulumi.Output<string[]> = pulumi.all(allGrants.map((g) => g.id));
    this.grantedKeyIds = pulumi.all([this.keyIds, grantIds]).apply(([ids]) => ids);
    this.serviceAgentMembers = pulumi.all(agentMembers as Record<string, pulumi.Output<string>>);

    this.registerOutputs({
      keyRingId: this.keyRingId,
      keyIds: this.keyIds,
      grantedKeyIds: this.grantedKeyIds,
      serviceAgentMembers: this.serviceAgentMembers,
    });
  }
}

/** A member or role as a stable, URN-friendly name part (`serviceAccount:a@b.com` → `serviceaccount-a-b-com`). */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}
