/**
 * LivePerson engagement attributes (SDEs) as a brand's IdP puts them in the `lp_sdes` claim of a
 * consumer id_token (docs/liveperson-wire.md, "Consumer id_tokens"). Field names are LivePerson's; every field is optional
 * because LivePerson accepts any subset.
 *
 * @module
 */

/** A calendar date as LivePerson's SDEs write it. */
export interface SdeDate {
  day?: number;
  month?: number;
  year?: number;
}

/** `ctmrinfo`: who the customer is to the brand. */
export interface CustomerInfoSde {
  type: 'ctmrinfo';
  info: {
    cstatus?: string;
    ctype?: string;
    customerId?: string;
    balance?: number;
    currency?: string;
    socialId?: string;
    imei?: string;
    userName?: string;
    companySize?: number;
    companyBranch?: string;
    accountName?: string;
    role?: string;
    lastPaymentDate?: SdeDate;
    registrationDate?: SdeDate;
    loginStatus?: number;
    storeNumber?: string;
    storeZipCode?: string;
    [field: string]: unknown;
  };
}

/** `personal`: the consumer's personal details. */
export interface PersonalInfoSde {
  type: 'personal';
  personal: {
    firstname?: string;
    lastname?: string;
    age?: { age?: number } & SdeDate;
    contacts?: {
      email?: string;
      phone?: string;
      phoneType?: string;
      address?: { country?: string; region?: string };
      preferred?: string;
    }[];
    gender?: string;
    language?: string;
    company?: string;
    [field: string]: unknown;
  };
}

/** `mrktInfo`: where the consumer came from. */
export interface MarketingSourceSde {
  type: 'mrktInfo';
  info: { channel?: string; affiliate?: string; campaignId?: string; [field: string]: unknown };
}

/** `lead`: a sales lead. */
export interface LeadSde {
  type: 'lead';
  lead: { topic?: string; value?: number; currency?: string; leadId?: string; [field: string]: unknown };
}

/** `service`: a service case. */
export interface ServiceActivitySde {
  type: 'service';
  service: {
    topic?: string;
    status?: number;
    category?: string;
    serviceId?: string;
    [field: string]: unknown;
  };
}

/** `error`: an error the consumer met. */
export interface VisitorErrorSde {
  type: 'error';
  error: {
    contextId?: string;
    message?: string;
    code?: string;
    level?: number;
    resolved?: boolean;
    [field: string]: unknown;
  };
}

/** A product as the commerce SDEs describe it. */
export interface SdeProduct {
  product?: { name?: string; category?: string; sku?: string; price?: number; [field: string]: unknown };
  quantity?: number;
}

/** `prodView`: products the consumer looked at. */
export interface ViewedProductSde {
  type: 'prodView';
  currency?: string;
  products?: SdeProduct[];
}

/** `cart`: the consumer's cart. */
export interface CartStatusSde {
  type: 'cart';
  total?: number;
  currency?: string;
  numItems?: number;
  products?: SdeProduct[];
}

/** `purchase`: a completed purchase. */
export interface PurchaseSde {
  type: 'purchase';
  total?: number;
  currency?: string;
  orderId?: string;
  cart?: { products?: SdeProduct[]; [field: string]: unknown };
}

/** `searchInfo`: what the consumer searched for. */
export interface SearchContentSde {
  type: 'searchInfo';
  keywords?: string[];
}

/** An entry whose `type` LivePerson did not define (or that did not have its type's shape), kept as sent. */
export interface UnknownSde {
  type: string;
  [field: string]: unknown;
}

/** The engagement attributes LivePerson defines, by `type`. */
export interface KnownSdes {
  ctmrinfo: CustomerInfoSde;
  personal: PersonalInfoSde;
  mrktInfo: MarketingSourceSde;
  lead: LeadSde;
  service: ServiceActivitySde;
  error: VisitorErrorSde;
  prodView: ViewedProductSde;
  cart: CartStatusSde;
  purchase: PurchaseSde;
  searchInfo: SearchContentSde;
}

/** One entry of `lp_sdes`. Use {@link findSde} / {@link filterSdes} to get a known type typed. */
export type EngagementAttribute = KnownSdes[keyof KnownSdes] | UnknownSde;

// The member that must be an object for an entry to have its type's shape (null: none).
const CONTAINER: Record<keyof KnownSdes, string | null> = {
  ctmrinfo: 'info',
  personal: 'personal',
  mrktInfo: 'info',
  lead: 'lead',
  service: 'service',
  error: 'error',
  prodView: null,
  cart: null,
  purchase: null,
  searchInfo: null,
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `entry` is one of LivePerson's types with that type's shape. */
export function isKnownSde(entry: EngagementAttribute): entry is KnownSdes[keyof KnownSdes] {
  if (!Object.hasOwn(CONTAINER, entry.type)) return false;
  const container = CONTAINER[entry.type as keyof KnownSdes];
  return container === null || isObject((entry as Record<string, unknown>)[container]);
}

/**
 * Parses the `lp_sdes` claim: an array of objects with a string `type` (a JSON string of one is
 * accepted too, as some IdPs can only emit string claims). Entries that are not objects with a
 * `type` are dropped; everything else is kept as it came, known types and unknown alike.
 */
export function parseLpSdes(claim: unknown): EngagementAttribute[] {
  let value = claim;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (isObject(value)) value = [value];
  if (!Array.isArray(value)) return [];
  return value.filter(
    (entry): entry is EngagementAttribute => isObject(entry) && typeof entry.type === 'string',
  );
}

/**
 * The first entry of a known type, typed.
 *
 * @example
 * ```ts
 * const customerId = findSde(req.lp.consumer!.sdes, 'ctmrinfo')?.info.customerId;
 * ```
 */
export function findSde<T extends keyof KnownSdes>(
  sdes: readonly EngagementAttribute[],
  type: T,
): KnownSdes[T] | undefined {
  return sdes.find((entry) => entry.type === type && isKnownSde(entry)) as KnownSdes[T] | undefined;
}

/** Every entry of a known type, typed (several `purchase` entries, for example). */
export function filterSdes<T extends keyof KnownSdes>(
  sdes: readonly EngagementAttribute[],
  type: T,
): KnownSdes[T][] {
  return sdes.filter((entry) => entry.type === type && isKnownSde(entry)) as KnownSdes[T][];
}
