/**
 * Every rule of the pack, in one list. `index.ts` serves it to the Pulumi CLI; the offline runner
 * (engine/policy/run.ts), the README table and the tests read it from here. Adding a rule: one
 * file under its domain folder, one line here, one spec in tests/policies/specs/<domain>.ts.
 */
import type { PolicyPackArgs } from "@pulumi/policy";
import gcpRedisInstanceRequirePersistence from "./backup/gcp-redis-instance-require-persistence";
import gcpSqlInstanceRequireBackupRetention from "./backup/gcp-sql-instance-require-backup-retention";
import gcpSqlInstanceRequireBackups from "./backup/gcp-sql-instance-require-backups";
import gcpSqlInstanceRequirePitr from "./backup/gcp-sql-instance-require-pitr";
import gcpStorageBucketRequireSoftDelete from "./backup/gcp-storage-bucket-require-soft-delete";
import gcpStorageBucketRequireVersioning from "./backup/gcp-storage-bucket-require-versioning";
import platformDataServiceRequireBackupSchedule from "./backup/platform-data-service-require-backup-schedule";
import gcpComputeHttpsProxyRequireSslPolicy from "./encryption/gcp-compute-https-proxy-require-ssl-policy";
import gcpComputeSslPolicyRequireTls12 from "./encryption/gcp-compute-ssl-policy-require-tls12";
import gcpGkeClusterRequireSecretsEncryption from "./encryption/gcp-gke-cluster-require-secrets-encryption";
import gcpKmsCryptoKeyRequireRotation from "./encryption/gcp-kms-crypto-key-require-rotation";
import gcpRedisInstanceRequireTransitEncryption from "./encryption/gcp-redis-instance-require-transit-encryption";
import gcpSqlInstanceRequireCmek from "./encryption/gcp-sql-instance-require-cmek";
import gcpSqlInstanceRequireSsl from "./encryption/gcp-sql-instance-require-ssl";
import gcpStorageBucketRequireCmek from "./encryption/gcp-storage-bucket-require-cmek";
import k8sNetworkingIngressRequireTls from "./encryption/k8s-networking-ingress-require-tls";
import k8sTraefikTlsoptionRequireTls12 from "./encryption/k8s-traefik-tlsoption-require-tls12";
import gcpComputeBackendServiceRequireCloudArmor from "./isolation/gcp-compute-backend-service-require-cloud-armor";
import gcpComputeFirewallDenyOpenIngress from "./isolation/gcp-compute-firewall-deny-open-ingress";
import gcpGkeClusterDenyDefaultServiceAccount from "./isolation/gcp-gke-cluster-deny-default-service-account";
import gcpGkeClusterRequireNetworkPolicy from "./isolation/gcp-gke-cluster-require-network-policy";
import gcpGkeClusterRequirePrivateNodes from "./isolation/gcp-gke-cluster-require-private-nodes";
import gcpGkeClusterRequireShieldedNodes from "./isolation/gcp-gke-cluster-require-shielded-nodes";
import gcpGkeClusterRequireWorkloadIdentity from "./isolation/gcp-gke-cluster-require-workload-identity";
import gcpGkeClusterRestrictControlPlane from "./isolation/gcp-gke-cluster-restrict-control-plane";
import gcpRedisInstanceRequireAuth from "./isolation/gcp-redis-instance-require-auth";
import gcpSqlInstanceDenyOpenNetwork from "./isolation/gcp-sql-instance-deny-open-network";
import gcpSqlInstanceDenyPublicIp from "./isolation/gcp-sql-instance-deny-public-ip";
import gcpStorageBucketEnforcePublicAccessPrevention from "./isolation/gcp-storage-bucket-enforce-public-access-prevention";
import gcpStorageBucketRequireUniformAccess from "./isolation/gcp-storage-bucket-require-uniform-access";
import k8sCoreNamespaceRequireGuardrails from "./isolation/k8s-core-namespace-require-guardrails";
import k8sCoreNamespaceRequireLabels from "./isolation/k8s-core-namespace-require-labels";
import k8sCoreNamespaceRequirePodSecurity from "./isolation/k8s-core-namespace-require-pod-security";
import k8sCoreServiceDenyExternalType from "./isolation/k8s-core-service-deny-external-type";
import k8sCoreWorkloadDenyDefaultNamespace from "./isolation/k8s-core-workload-deny-default-namespace";
import gcpLocationResourceRequireAllowedLocation from "./residency/gcp-location-resource-require-allowed-location";
import gcpGkeClusterRequireDeletionProtection from "./protection/gcp-gke-cluster-require-deletion-protection";
import gcpGkeClusterRequireReleaseChannel from "./protection/gcp-gke-cluster-require-release-channel";
import gcpKmsCryptoKeyRequireProtection from "./protection/gcp-kms-crypto-key-require-protection";
import gcpSqlInstanceRequireDeletionProtection from "./protection/gcp-sql-instance-require-deletion-protection";
import gcpSqlInstanceRequireRegional from "./protection/gcp-sql-instance-require-regional";
import gcpStorageBucketDenyForceDestroy from "./protection/gcp-storage-bucket-deny-force-destroy";
import k8sPolicyPdbRequireDisruptionBudget from "./protection/k8s-policy-pdb-require-disruption-budget";
import gcpProjectDenyForeignDataReference from "./residency/gcp-project-deny-foreign-data-reference";
import gcpPubsubSubscriptionRequireDeadLetter from "./workload/gcp-pubsub-subscription-require-dead-letter";
import k8sCoreContainerDenyLatestImage from "./workload/k8s-core-container-deny-latest-image";
import k8sCoreContainerDenyPrivilegeEscalation from "./workload/k8s-core-container-deny-privilege-escalation";
import k8sCoreContainerDropCapabilities from "./workload/k8s-core-container-drop-capabilities";
import k8sCoreContainerRequireNonRoot from "./workload/k8s-core-container-require-non-root";
import k8sCoreContainerRequireProbes from "./workload/k8s-core-container-require-probes";
import k8sCoreContainerRequireReadonlyRootfs from "./workload/k8s-core-container-require-readonly-rootfs";
import k8sCoreContainerRequireResources from "./workload/k8s-core-container-require-resources";
import k8sCoreContainerRequireSeccomp from "./workload/k8s-core-container-require-seccomp";
import k8sCoreContainerRequireSecretEnv from "./secrets/k8s-core-container-require-secret-env";
import platformSecretsInputDenyLiteralSecret from "./secrets/platform-secrets-input-deny-literal-secret";
import k8sSchemaObjectRequireValidSchema from "./schema/k8s-schema-object-require-valid-schema";
import platformPolicyConfigRequireStackFacts from "./schema/platform-policy-config-require-stack-facts";
// Kubernetes rules of issue 9 (pod-template walker, host hardening, data services, availability).
import k8sCoreObjectDenyRemovedApi from "./schema/k8s-core-object-deny-removed-api";
import k8sCorePodDenyHostNamespaces from "./workload/k8s-core-pod-deny-host-namespaces";
import k8sCorePodDenyHostPath from "./workload/k8s-core-pod-deny-host-path";
import k8sCorePodDenyUnsafeSecurityOptions from "./workload/k8s-core-pod-deny-unsafe-security-options";
import k8sCoreServiceDenyExternalIps from "./isolation/k8s-core-service-deny-external-ips";
import k8sNetworkingNetworkpolicyDenyAllowAll from "./isolation/k8s-networking-networkpolicy-deny-allow-all";
import k8sCorePodDenyServiceAccountToken from "./isolation/k8s-core-pod-deny-service-account-token";
import k8sRbacBindingDenyAdminToServiceAccount from "./isolation/k8s-rbac-binding-deny-admin-to-service-account";
import k8sTraefikIngressrouteRequireAuth from "./isolation/k8s-traefik-ingressroute-require-auth";
import k8sTraefikReleaseDenyInsecureApi from "./isolation/k8s-traefik-release-deny-insecure-api";
import k8sDataServiceRequireTls from "./encryption/k8s-data-service-require-tls";
import k8sRedisClusterRequireAuth from "./isolation/k8s-redis-cluster-require-auth";
import k8sStrimziKafkaRequireSecureListeners from "./isolation/k8s-strimzi-kafka-require-secure-listeners";
import k8sStrimziKafkaDenyExternalListener from "./isolation/k8s-strimzi-kafka-deny-external-listener";
import k8sStrimziKafkaRequireDurableReplication from "./protection/k8s-strimzi-kafka-require-durable-replication";
import k8sDataServiceRequireReplicas from "./protection/k8s-data-service-require-replicas";
import k8sRedisClusterRequireAof from "./backup/k8s-redis-cluster-require-aof";
import k8sAppsDeploymentRequireReplicas from "./protection/k8s-apps-deployment-require-replicas";
import k8sBackupCronjobRequireBucketRetention from "./backup/k8s-backup-cronjob-require-bucket-retention";
import gcpSqlInstanceRequireRetainedBackups from "./backup/gcp-sql-instance-require-retained-backups";
import gcpComputeHttpProxyRequireHttpsRedirect from "./encryption/gcp-compute-http-proxy-require-https-redirect";
import gcpCloudrunServiceDenyDefaultServiceAccount from "./isolation/gcp-cloudrun-service-deny-default-service-account";
import gcpCloudrunServiceRestrictIngress from "./isolation/gcp-cloudrun-service-restrict-ingress";
import gcpComputeSecurityPolicyDenyPreviewRules from "./isolation/gcp-compute-security-policy-deny-preview-rules";
import gcpGkeClusterDenyClientCertificate from "./isolation/gcp-gke-cluster-deny-client-certificate";
import gcpGkeClusterDenyLegacyAbac from "./isolation/gcp-gke-cluster-deny-legacy-abac";
import gcpIamBindingDenyPublicPrincipal from "./isolation/gcp-iam-binding-deny-public-principal";
import gcpIamProjectDenyAdminServiceAccount from "./isolation/gcp-iam-project-deny-admin-service-account";
import gcpGkeClusterRequireLogging from "./protection/gcp-gke-cluster-require-logging";
import gcpGkeNodePoolRequireAutoManagement from "./protection/gcp-gke-node-pool-require-auto-management";
import gcpKmsCryptoKeyRequireDestroyDelay from "./protection/gcp-kms-crypto-key-require-destroy-delay";
import gcpSqlInstanceRequireAuditFlags from "./protection/gcp-sql-instance-require-audit-flags";
import gcpComputeSubnetworkRequireFlowLogs from "./protection/gcp-compute-subnetwork-require-flow-logs";
import platformCostStackRestrictMonthlyCost from "./cost/platform-cost-stack-restrict-monthly-cost";
import k8sCnpgClusterRequireBackups from "./backup/k8s-cnpg-cluster-require-backups";
import platformDataServiceRequireRpoLogShipping from "./backup/platform-data-service-require-rpo-log-shipping";

export const PACK_NAME = "platform-policies";

/** Enforcement when a stack's config says nothing: advisory (the config files make prod mandatory). */
export const PACK_DEFAULT_ENFORCEMENT = "advisory" as const;

export const policies = [
  gcpRedisInstanceRequirePersistence,
  gcpSqlInstanceRequireBackupRetention,
  gcpSqlInstanceRequireBackups,
  gcpSqlInstanceRequirePitr,
  gcpStorageBucketRequireSoftDelete,
  gcpStorageBucketRequireVersioning,
  platformDataServiceRequireBackupSchedule,
  gcpComputeHttpsProxyRequireSslPolicy,
  gcpComputeSslPolicyRequireTls12,
  gcpGkeClusterRequireSecretsEncryption,
  gcpKmsCryptoKeyRequireRotation,
  gcpRedisInstanceRequireTransitEncryption,
  gcpSqlInstanceRequireCmek,
  gcpSqlInstanceRequireSsl,
  gcpStorageBucketRequireCmek,
  k8sNetworkingIngressRequireTls,
  k8sTraefikTlsoptionRequireTls12,
  gcpComputeBackendServiceRequireCloudArmor,
  gcpComputeFirewallDenyOpenIngress,
  gcpGkeClusterDenyDefaultServiceAccount,
  gcpGkeClusterRequireNetworkPolicy,
  gcpGkeClusterRequirePrivateNodes,
  gcpGkeClusterRequireShieldedNodes,
  gcpGkeClusterRequireWorkloadIdentity,
  gcpGkeClusterRestrictControlPlane,
  gcpRedisInstanceRequireAuth,
  gcpSqlInstanceDenyOpenNetwork,
  gcpSqlInstanceDenyPublicIp,
  gcpStorageBucketEnforcePublicAccessPrevention,
  gcpStorageBucketRequireUniformAccess,
  k8sCoreNamespaceRequireGuardrails,
  k8sCoreNamespaceRequireLabels,
  k8sCoreNamespaceRequirePodSecurity,
  k8sCoreServiceDenyExternalType,
  k8sCoreWorkloadDenyDefaultNamespace,
  gcpLocationResourceRequireAllowedLocation,
  gcpProjectDenyForeignDataReference,
  gcpGkeClusterRequireDeletionProtection,
  gcpGkeClusterRequireReleaseChannel,
  gcpKmsCryptoKeyRequireProtection,
  gcpSqlInstanceRequireDeletionProtection,
  gcpSqlInstanceRequireRegional,
  gcpStorageBucketDenyForceDestroy,
  k8sPolicyPdbRequireDisruptionBudget,
  gcpPubsubSubscriptionRequireDeadLetter,
  k8sCoreContainerDenyLatestImage,
  k8sCoreContainerDenyPrivilegeEscalation,
  k8sCoreContainerDropCapabilities,
  k8sCoreContainerRequireNonRoot,
  k8sCoreContainerRequireProbes,
  k8sCoreContainerRequireReadonlyRootfs,
  k8sCoreContainerRequireResources,
  k8sCoreContainerRequireSeccomp,
  k8sCoreContainerRequireSecretEnv,
  platformSecretsInputDenyLiteralSecret,
  k8sSchemaObjectRequireValidSchema,
  platformPolicyConfigRequireStackFacts,
  k8sCoreObjectDenyRemovedApi,
  k8sCorePodDenyHostNamespaces,
  k8sCorePodDenyHostPath,
  k8sCorePodDenyUnsafeSecurityOptions,
  k8sCoreServiceDenyExternalIps,
  k8sNetworkingNetworkpolicyDenyAllowAll,
  k8sCorePodDenyServiceAccountToken,
  k8sRbacBindingDenyAdminToServiceAccount,
  k8sTraefikIngressrouteRequireAuth,
  k8sTraefikReleaseDenyInsecureApi,
  k8sDataServiceRequireTls,
  k8sRedisClusterRequireAuth,
  k8sStrimziKafkaRequireSecureListeners,
  k8sStrimziKafkaDenyExternalListener,
  k8sStrimziKafkaRequireDurableReplication,
  k8sDataServiceRequireReplicas,
  k8sRedisClusterRequireAof,
  k8sAppsDeploymentRequireReplicas,
  k8sBackupCronjobRequireBucketRetention,
  gcpSqlInstanceRequireRetainedBackups,
  gcpComputeHttpProxyRequireHttpsRedirect,
  gcpCloudrunServiceDenyDefaultServiceAccount,
  gcpCloudrunServiceRestrictIngress,
  gcpComputeSecurityPolicyDenyPreviewRules,
  gcpGkeClusterDenyClientCertificate,
  gcpGkeClusterDenyLegacyAbac,
  gcpIamBindingDenyPublicPrincipal,
  gcpIamProjectDenyAdminServiceAccount,
  gcpGkeClusterRequireLogging,
  gcpGkeNodePoolRequireAutoManagement,
  gcpKmsCryptoKeyRequireDestroyDelay,
  gcpSqlInstanceRequireAuditFlags,
  gcpComputeSubnetworkRequireFlowLogs,
  platformCostStackRestrictMonthlyCost,
  k8sCnpgClusterRequireBackups,
  platformDataServiceRequireRpoLogShipping,
];

export const packArgs: PolicyPackArgs = {
  description: "The platform documents' backup, encryption, isolation, residency, protection, workload, secrets, schema and cost rules.",
  enforcementLevel: PACK_DEFAULT_ENFORCEMENT,
  policies,
};
