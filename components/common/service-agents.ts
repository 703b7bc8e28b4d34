/**
 * Google service agents whose address Google documents as derived from the project number, so that
 * a grant to one never waits on an API returning its email.
 */

/**
 * The IAM member of the service agent `service-<projectNumber>@<domain>.iam.gserviceaccount.com`
 * (`domain` such as "gcp-sa-pubsub", "container-engine-robot", "cloud-cdn-fill").
 */
export function serviceAgentMember(projectNumber: string, domain: string): string {
  return `serviceAccount:service-${projectNumber}@${domain}.iam.gserviceaccount.com`;
}
