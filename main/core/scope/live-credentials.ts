/**
 * Every live-credential format Latchkey recognises in a secret value, as data. Adding a provider is
 * one entry here plus a positive and a negative test in test/unit/scope-live-credentials.test.ts.
 *
 * Only formats whose live form can be told from its test/sandbox form belong here. Stripe webhook
 * secrets (`whsec_`), PayPal client ids and Square access tokens look the same in both modes, so
 * they are not listed; the path and metadata rules still apply to them.
 */

/** Byte classes used around a marker: `alnum` is [A-Za-z0-9], `word` adds `_`. */
export type ByteClass = 'alnum' | 'word';

/** A fixed ASCII marker, found by byte search, with conditions on the bytes around it. */
export interface MarkerFormat {
  readonly kind: 'marker';
  /** Stable rule id, reported in refusals. */
  readonly rule: string;
  /** What was recognised, as a noun phrase (`a Stripe live secret key (sk_live_…)`). */
  readonly description: string;
  /** What to store instead, as an imperative clause. */
  readonly advice: string;
  /** The ASCII bytes to find. Lower-case when `caseInsensitive`. */
  readonly marker: string;
  /** Host names are case-insensitive; key prefixes are not (`SK_LIVE_` is not a Stripe key). */
  readonly caseInsensitive: boolean;
  /** The byte before the marker, if any, must not be of this class (`task_live_…` is no `sk_live_`). */
  readonly notPrecededBy?: ByteClass;
  /** A run of this many bytes of the class must follow the marker (and no more than `max`). */
  readonly followedBy?: { readonly bytes: ByteClass; readonly min: number; readonly max?: number };
  /** The marker is a host name: the byte after it must not continue the name (`[A-Za-z0-9_-]`). */
  readonly endsHost?: boolean;
}

/** Any `scheme://` URL in the value whose host name has a production token (`db.prod.internal`). */
export interface UrlHostFormat {
  readonly kind: 'url-production-host';
  readonly rule: string;
  readonly description: string;
  readonly advice: string;
}

export type LiveCredentialFormat = MarkerFormat | UrlHostFormat;

/** The formats, checked in this order; the first that matches is reported. */
export const LIVE_CREDENTIAL_FORMATS: readonly LiveCredentialFormat[] = [
  {
    kind: 'marker',
    rule: 'stripe-live-secret-key',
    description: 'a Stripe live secret key (sk_live_…)',
    advice: 'store the test-mode key (sk_test_…) instead',
    marker: 'sk_live_',
    caseInsensitive: false,
    notPrecededBy: 'alnum',
    followedBy: { bytes: 'alnum', min: 10 },
  },
  {
    kind: 'marker',
    rule: 'stripe-live-restricted-key',
    description: 'a Stripe live restricted key (rk_live_…)',
    advice: 'store a test-mode restricted key (rk_test_…) instead',
    marker: 'rk_live_',
    caseInsensitive: false,
    notPrecededBy: 'alnum',
    followedBy: { bytes: 'alnum', min: 10 },
  },
  {
    kind: 'marker',
    rule: 'stripe-live-publishable-key',
    description: 'a Stripe live publishable key (pk_live_…)',
    advice: 'store the test-mode publishable key (pk_test_…) instead',
    marker: 'pk_live_',
    caseInsensitive: false,
    notPrecededBy: 'alnum',
    followedBy: { bytes: 'alnum', min: 10 },
  },
  {
    kind: 'marker',
    rule: 'braintree-production-token',
    description: 'a Braintree production access token (access_token$production$…)',
    advice: 'store a sandbox access token (access_token$sandbox$…) instead',
    marker: 'access_token$production$',
    caseInsensitive: false,
    notPrecededBy: 'alnum',
  },
  {
    kind: 'marker',
    rule: 'razorpay-live-key',
    description: 'a Razorpay live key (rzp_live_…)',
    advice: 'store a test-mode key (rzp_test_…) instead',
    marker: 'rzp_live_',
    caseInsensitive: false,
    notPrecededBy: 'alnum',
    followedBy: { bytes: 'alnum', min: 8 },
  },
  {
    kind: 'marker',
    rule: 'paddle-live-key',
    description: 'a Paddle live API key (pdl_live_…)',
    advice: 'store a sandbox API key (pdl_sdbx_…) instead',
    marker: 'pdl_live_',
    caseInsensitive: false,
    notPrecededBy: 'alnum',
    followedBy: { bytes: 'word', min: 8 },
  },
  {
    kind: 'marker',
    rule: 'mollie-live-key',
    description: 'a Mollie live API key (live_ and 30 letters or digits)',
    advice: 'store a test API key (test_…) instead',
    marker: 'live_',
    caseInsensitive: false,
    notPrecededBy: 'alnum',
    followedBy: { bytes: 'alnum', min: 30, max: 30 },
  },
  {
    kind: 'marker',
    rule: 'adyen-live-endpoint',
    description: 'an Adyen live Checkout endpoint (…-checkout-live.adyenpayments.com)',
    advice: 'use the test endpoint (checkout-test.adyen.com) instead',
    marker: '-checkout-live.adyenpayments.com',
    caseInsensitive: true,
    endsHost: true,
  },
  {
    kind: 'marker',
    rule: 'adyen-live-endpoint',
    description: 'an Adyen live classic API endpoint (…-pal-live.adyenpayments.com)',
    advice: 'use the test endpoint (pal-test.adyen.com) instead',
    marker: '-pal-live.adyenpayments.com',
    caseInsensitive: true,
    endsHost: true,
  },
  {
    kind: 'marker',
    rule: 'adyen-live-endpoint',
    description: 'an Adyen live endpoint (live.adyen.com)',
    advice: 'use the test endpoint (test.adyen.com) instead',
    marker: 'live.adyen.com',
    caseInsensitive: true,
    notPrecededBy: 'alnum',
    endsHost: true,
  },
  {
    kind: 'marker',
    rule: 'paypal-live-host',
    description: 'the PayPal live API host (api-m.paypal.com)',
    advice: 'use the sandbox host (api-m.sandbox.paypal.com) instead',
    marker: 'api-m.paypal.com',
    caseInsensitive: true,
    notPrecededBy: 'alnum',
    endsHost: true,
  },
  {
    kind: 'marker',
    rule: 'paypal-live-host',
    description: 'the PayPal live API host (api.paypal.com)',
    advice: 'use the sandbox host (api.sandbox.paypal.com) instead',
    marker: 'api.paypal.com',
    caseInsensitive: true,
    notPrecededBy: 'alnum',
    endsHost: true,
  },
  {
    kind: 'marker',
    rule: 'square-production-host',
    description: 'the Square production API host (connect.squareup.com)',
    advice: 'use the sandbox host (connect.squareupsandbox.com) instead',
    marker: 'connect.squareup.com',
    caseInsensitive: true,
    notPrecededBy: 'alnum',
    endsHost: true,
  },
  {
    kind: 'url-production-host',
    rule: 'url-production-host',
    description: 'a URL whose host name marks production (such as db.prod.internal or api-prod.example.com)',
    advice: 'point it at a development or staging host instead',
  },
];
