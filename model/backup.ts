/**
 * The backup contract between a data service's component and the policy pack. A component that
 * backs up a data service runs a CronJob labelled BACKUP_TARGET_LABEL=<service name> in the
 * service's namespace (platform-data-service-require-backup-schedule finds it by that label and
 * checks its schedule), and uploads its dumps to a GCS bucket it names as `gs://<bucket>/<prefix>`
 * in its command or arguments. Retention is checked where dumps are deleted: the Delete lifecycle
 * rules of that bucket keep each dump at least the stack's minBackupRetentionDays
 * (k8s-backup-cronjob-require-bucket-retention).
 */

/** Label a backup CronJob carries: the name of the StatefulSet or data-service CR it backs up. */
export const BACKUP_TARGET_LABEL = "backup.platform/target";

/**
 * Annotation a backup CronJob may carry: how many days the component asked its bucket to keep each
 * dump, for the people reading the cluster. Informational: the bucket's lifecycle decides, and the
 * pack checks the bucket.
 */
export const BACKUP_RETENTION_ANNOTATION = "backup.platform/retention-days";

/** A `gs://bucket/path` in a backup job's command line: the bucket (group 1) and the object path (group 2). */
export const GCS_URL = /gs:\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])(\/[^\s"'$]*)?/g;
