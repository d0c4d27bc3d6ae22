/**
 * A ValidatingAdmissionPolicy and the binding that makes it deny: the one shape of every
 * admission policy the operator renders (render/platform-objects.ts, address-policy.ts,
 * hub-admission.ts). `failurePolicy: Fail`: a policy that cannot be evaluated refuses rather
 * than lets through, and the binding only denies (never `Audit` or `Warn` alone).
 */
import { metadata } from './meta.ts';
import type { DesiredObject, OwnerRef } from './types.ts';

/** A check of an admission policy: the request is refused when `expression` is false. */
export interface Validation {
  expression: string;
  message: string;
}

export function denyingPolicy(owner: OwnerRef, name: string, spec: Record<string, unknown>): DesiredObject[] {
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: metadata({ name, owner }),
      spec: { failurePolicy: 'Fail', ...spec },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: metadata({ name, owner }),
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}
