/**
 * The one place for exchange rates. Estimates are USD (list prices); a figure shown in EUR or CHF
 * is converted here and always printed with the rate and its date.
 *
 * Source: the ECB euro foreign exchange reference rates of 2026-05-08 (eurofxref-daily.xml,
 * https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml, as stored by the project's
 * reference search; no rate was found in the shared documents): 1 EUR = 1.1761 USD and
 * 1 EUR = 0.9156 CHF. Hence 1 USD = 1 / 1.1761 = 0.8503 EUR and 1 USD = 0.9156 / 1.1761 = 0.7785 CHF.
 * The repository works offline: to refresh, replace the two ECB figures and the date below.
 */

export type Currency = "USD" | "EUR" | "CHF";
export const CURRENCIES: readonly Currency[] = ["USD", "EUR", "CHF"];

/** The ECB figures as published (units of the currency per 1 EUR). */
export const ECB_REFERENCE = { date: "2026-05-08", usdPerEur: 1.1761, chfPerEur: 0.9156, url: "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml" } as const;

/** Units of `currency` per 1 USD. */
export function perUsd(currency: Currency): number {
  switch (currency) {
    case "USD":
      return 1;
    case "EUR":
      return 1 / ECB_REFERENCE.usdPerEur;
    case "CHF":
      return ECB_REFERENCE.chfPerEur / ECB_REFERENCE.usdPerEur;
  }
}

export function isCurrency(v: string): v is Currency {
  return (CURRENCIES as readonly string[]).includes(v);
}

const SYMBOL: Record<Currency, string> = { USD: "$", EUR: "€", CHF: "CHF " };

export function convertUsd(usd: number, currency: Currency): number {
  return usd * perUsd(currency);
}

/**
 * `1,234,567` / `1,234.50`: digits grouped by thousands with a comma (en-US), rounded half away
 * from zero like toFixed. Written out because the first toLocaleString of a process initialises
 * ICU (~40 ms), which every preview would pay for its cost lines.
 */
export function groupThousands(value: number, fractionDigits = 0): string {
  const fixed = Math.abs(value).toFixed(fractionDigits);
  const [whole, fraction] = fixed.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${value < 0 && Number(fixed) !== 0 ? "-" : ""}${grouped}${fraction !== undefined ? `.${fraction}` : ""}`;
}

/** `€123` / `$123.45` / `CHF 1,234`: whole units from 100 up, cents below. */
export function formatAmount(amount: number, currency: Currency): string {
  const digits = Math.abs(amount) >= 100 ? 0 : 2;
  const sign = amount < 0 ? "-" : "";
  return `${sign}${SYMBOL[currency]}${groupThousands(Math.abs(amount), digits)}`;
}

/** `at 1 USD = 0.8503 EUR, ECB 2026-05-08`; empty for USD (nothing converted). */
export function rateNote(currency: Currency): string {
  return currency === "USD" ? "" : `at 1 USD = ${perUsd(currency).toFixed(4)} ${currency}, ECB ${ECB_REFERENCE.date}`;
}

/** A monthly USD figure as shown: `€123/month (at 1 USD = 0.8503 EUR, ECB 2026-05-08)`, or `$123/month`. */
export function formatMonthly(usd: number, currency: Currency, opts: { withRate?: boolean } = {}): string {
  const shown = `${formatAmount(convertUsd(usd, currency), currency)}/month`;
  return opts.withRate === false || currency === "USD" ? shown : `${shown} (${rateNote(currency)})`;
}
