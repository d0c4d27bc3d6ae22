/**
 * Building blocks for the API schemas. TypeBox gives each schema a static TypeScript type,
 * so the types the code uses and the OpenAPI schemas in crds/ come from one definition.
 * CEL rules sit beside the fields they guard and are checked both by the API server and,
 * offline, by `govcloud validate`.
 */
import { Type, type TArray, type TInteger, type TOptional, type TSchema, type TString, type TUnion, type SchemaOptions } from '@sinclair/typebox';

export const GROUP = 'govcloud.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface CelRule {
  rule: string;
  message: string;
  /** Kubernetes reason for the failure: FieldValueInvalid unless said otherwise. */
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  /** Field the message is about, relative to the node carrying the rule (e.g. `.validUntil`). */
  fieldPath?: string;
}

export const CEL_KEY = 'x-kubernetes-validations';

/** Attaches CEL rules to a schema's options. */
export function cel(...rules: CelRule[]): { [CEL_KEY]: CelRule[] } {
  return { [CEL_KEY]: rules };
}

/** A rule that makes a field immutable once set. */
export function immutable(what: string): CelRule {
  return { rule: 'self == oldSelf', message: `${what} is immutable`, reason: 'FieldValueForbidden' };
}

type Described = SchemaOptions & { description: string };

export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** Years in which February has a 29th, from 1970 to 2999. */
const LEAP_YEAR = '(19(7[26]|8[048]|9[26])|2[048]([02468][048]|[13579][26])|2[1235679](0[48]|[2468][048]|[13579][26]))';
/**
 * An RFC 3339 date-time (section 5.6: `T` and `Z` in either case, any number of fractional
 * digits, an offset) that is a real time: days that exist in their month, hours to 23,
 * seconds to 59 (Go, and so CEL's timestamp(), knows no leap second), offsets to ±23:59,
 * years 1970 to 2999. Every value it admits is one the API server's CEL timestamp()
 * parses once upper-cased, so the rules never fail on a value the schema let through.
 * Not `format: date-time`: the API server's check for that admits times CEL cannot read
 * (`07:00:00,5z`, `+99:99`, a second `t`), and CEL reads none in lower case.
 */
const DAY = '((19[7-9][0-9]|2[0-9]{3})-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)|' + LEAP_YEAR + '-02-29)';
export const RFC3339 = '^' + DAY + '[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$';
/** A calendar day (RFC 3339 full-date) that exists, from 1970 to 2999. */
export const FULL_DATE = '^' + DAY + '$';
/** Longest time accepted: bounds the cost of the CEL rules that read it. */
export const RFC3339_MAX_LENGTH = 64;
export const CIDR = '^(([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[1-2][0-9]|3[0-2])|[0-9a-fA-F:]+:[0-9a-fA-F:]*/([0-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8]))$';
export const IP_ADDRESS = '^(([0-9]{1,3}\\.){3}[0-9]{1,3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*)$';
export const QUANTITY = '^([0-9]+(\\.[0-9]+)?)(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$';

export function dnsLabel(description: string, maxLength = 63): TString {
  return Type.String({ description, minLength: 1, maxLength, pattern: DNS_LABEL });
}

export function text(description: string, maxLength = 256, minLength = 1): TString {
  return Type.String({ description, minLength, maxLength });
}

/** A Kubernetes resource quantity ("4", "500m", "64Gi"): integer or string, as Kubernetes has it. */
export function quantity(description: string): TUnion<[TInteger, TString]> {
  return Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: QUANTITY })], {
    description,
    'x-kubernetes-int-or-string': true,
  });
}

export function timestamp(description: string): TString {
  return Type.String({
    description: `${description} RFC 3339 (T and Z in either case; a year from 1970 to 2999), e.g. 2027-01-01T00:00:00Z.`,
    pattern: RFC3339,
    maxLength: RFC3339_MAX_LENGTH,
  });
}

/** A calendar day, YYYY-MM-DD: plans and targets are set by the day, not by the second. */
export function date(description: string): TString {
  return Type.String({ description: `${description} A day, YYYY-MM-DD (1970 to 2999), e.g. 2027-06-30.`, pattern: FULL_DATE, maxLength: 10 });
}

export function cidr(description: string): TString {
  return Type.String({ description, pattern: CIDR, maxLength: 43 });
}

export function ipAddress(description: string): TString {
  return Type.String({ description, pattern: IP_ADDRESS, maxLength: 39 });
}

export function securityLevel(description: string): TInteger {
  return Type.Integer({ description, minimum: 1, maximum: 5 });
}

/** A list whose items are unique values (`x-kubernetes-list-type: set`). */
export function setOf<T extends TSchema>(item: T, options: Described & { minItems?: number; maxItems?: number }): TArray<T> {
  return Type.Array(item, { ...options, 'x-kubernetes-list-type': 'set' });
}

/** A list of objects keyed by one field (`x-kubernetes-list-type: map`). */
export function mapListOf<T extends TSchema>(item: T, key: string, options: Described & { minItems?: number; maxItems?: number }): TArray<T> {
  return Type.Array(item, { ...options, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] });
}

/** A validity window; CEL keeps it in order where both ends are given. */
export function validityWindow<Required extends boolean>(subject: string, untilRequired: Required) {
  const validFrom = timestamp(`When the ${subject} starts to apply. Absent: at once.`);
  const validUntil = timestamp(`When the ${subject} stops applying; enforced on time.${untilRequired ? '' : ' Absent: no end.'}`);
  return {
    properties: {
      validFrom: Type.Optional(validFrom),
      validUntil: (untilRequired ? validUntil : Type.Optional(validUntil)) as Required extends true ? TString : TOptional<TString>,
    },
    rule: {
      // upperAscii: CEL's timestamp() reads `T` and `Z` only in upper case; RFC 3339 allows both.
      rule: '!has(self.validFrom) || !has(self.validUntil) || timestamp(self.validFrom.upperAscii()) < timestamp(self.validUntil.upperAscii())',
      message: 'validFrom must be before validUntil',
      fieldPath: '.validUntil',
    } satisfies CelRule,
  };
}

export const ConditionSchema = Type.Object(
  {
    type: Type.String({ description: 'Ready, Progressing or Degraded.', maxLength: 64 }),
    status: Type.String({ description: 'True, False or Unknown.', enum: ['True', 'False', 'Unknown'] }),
    reason: Type.String({ description: 'A CamelCase word for programs.', maxLength: 128 }),
    message: Type.String({ description: 'What a person needs to know.', maxLength: 32768 }),
    observedGeneration: Type.Optional(Type.Integer({ description: 'The generation of the spec this condition speaks for.', minimum: 0 })),
    lastTransitionTime: Type.String({ description: 'When the status last changed.' }),
  },
  { description: 'A condition, as Kubernetes API conventions define it.' },
);

export function conditions() {
  return mapListOf(ConditionSchema, 'type', { description: 'Ready, Progressing and Degraded, each with observedGeneration.' });
}

export function observedGeneration() {
  return Type.Integer({ description: 'The generation of the spec the operator last acted on.', minimum: 0 });
}
