/**
 * The keyed-digest contract between the offline engine (which writes digests of secrets into plans)
 * and the plan diff (which compares them). It lives apart from engine/evaluate.ts so that the diff
 * and `preview:pr`, which need only these names, do not load the Pulumi SDK to learn them.
 */

/**
 * Environment variable holding a key for keyed digests of secrets. `npm run preview:pr` sets a
 * fresh random key for the base and head previews of one comparison and then forgets it, so the
 * diff can tell a changed secret from an unchanged one while the digest reveals nothing (without
 * the key it cannot even be brute-forced). Unset: secrets are blinded with no digest.
 */
export const SECRET_DIGEST_KEY_ENV = "PREVIEW_SECRET_DIGEST_KEY";
/** Where a blinded secret carries its keyed digest (our extension of Pulumi's secret envelope). */
export const SECRET_DIGEST_FIELD = "hmacSha256";
