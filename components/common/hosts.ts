/** Host name rules shared by the load balancer's certificate map and the API gateway's routes. */

/** Whether `*.<domain>` covers `host` (one label under the domain: not the domain itself, not deeper). */
export const wildcardCovers = (domain: string, host: string): boolean => host.endsWith(`.${domain}`) && !host.slice(0, -domain.length - 1).includes(".");
