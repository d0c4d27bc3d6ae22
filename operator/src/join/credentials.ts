// The credential `govcloud join` makes for a member data centre and the operator renews: a
// bound ServiceAccount token (TokenRequest API, never a legacy token Secret) in a kubeconfig
// on the hub. Pure: the CLI and the operator both decide with these functions.
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { SYSTEM_NAMESPACE } from '../api/tenancy.ts';

/** The operator's ServiceAccount on a member (the chart's name). */
export const OPERATOR_SERVICE_ACCOUNT = 'govcloud-operator';
/** The key of the kubeconfig in its Secret (the DataCentre's default key). */
export const KUBECONFIG_KEY = 'kubeconfig';
/** Marks a Secret whose token the operator renews; its value is the member's ServiceAccount, namespace/name. */
export const RENEWED_TOKEN_ANNOTATION = 'govcloud.dev/renewed-token-of';
/** A time (RFC 3339) before which the operator renews anyway: a platform engineer's "rotate now". */
export const RENEW_BEFORE_ANNOTATION = 'govcloud.dev/renew-before';
/** Default lifetime of a joined member's token. */
export const DEFAULT_TOKEN_SECONDS = 24 * 3600;
/** The shortest lifetime the TokenRequest API grants. */
export const MIN_TOKEN_SECONDS = 600;
/**
 * Renew after two thirds of the lifetime: the token then still has a third of it (8 h of a
 * 24 h token) for retries while the member or the hub is unreachable, and each token is used
 * for most of its life. Kubelet renews projected tokens at 80 %; a third leaves more room for
 * an outage of the hub's operator, which renews for every member.
 */
export const RENEW_AT_FRACTION = 2 / 3;

export const kubeconfigSecretName = (dataCentre: string): string => `${dataCentre}-kubeconfig`;
export const credentialRoleName = (dataCentre: string): string => `govcloud-credentials-${dataCentre}`;
export const operatorUser = (namespace = SYSTEM_NAMESPACE): string => `system:serviceaccount:${namespace}:${OPERATOR_SERVICE_ACCOUNT}`;

export interface TokenTimes {
  issuedAt: Date;
  expiresAt: Date;
}

/** The iat and exp claims of a ServiceAccount token (a JWT); undefined when it is none. */
export function tokenTimes(token: string): TokenTimes | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  let claims: { iat?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return undefined;
  }
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp <= claims.iat) return undefined;
  return { issuedAt: new Date(claims.iat * 1000), expiresAt: new Date(claims.exp * 1000) };
}

/** When a token is to be renewed: two thirds into its life, or earlier when `renewBefore` asks. */
export function renewAt(times: TokenTimes, renewBefore?: string): Date {
  const due = new Date(times.issuedAt.getTime() + RENEW_AT_FRACTION * (times.expiresAt.getTime() - times.issuedAt.getTime()));
  const asked = renewBefore ? Date.parse(renewBefore) : NaN;
  return Number.isFinite(asked) && asked < due.getTime() && asked > times.issuedAt.getTime() ? new Date(asked) : due;
}

/** The lifetime to ask for again: the current token's, as join chose it. */
export const lifetimeSeconds = (times: TokenTimes): number => Math.round((times.expiresAt.getTime() - times.issuedAt.getTime()) / 1000);

export interface MemberEndpoint {
  /** The context name, the data centre's. */
  name: string;
  server: string;
  /** PEM, base64 (certificate-authority-data). */
  caData?: string;
  insecureSkipTLSVerify?: boolean;
}

/** A kubeconfig reaching the member as the operator, with a bearer token. */
export function tokenKubeconfig(endpoint: MemberEndpoint, token: string): string {
  const kc = new KubeConfig();
  const user = `${OPERATOR_SERVICE_ACCOUNT}@${endpoint.name}`;
  kc.loadFromOptions({
    clusters: [
      {
        name: endpoint.name,
        server: endpoint.server,
        ...(endpoint.caData ? { caData: endpoint.caData } : {}),
        skipTLSVerify: endpoint.insecureSkipTLSVerify === true,
      },
    ],
    users: [{ name: user, token }],
    contexts: [{ name: endpoint.name, cluster: endpoint.name, user }],
    currentContext: endpoint.name,
  });
  return stringify(JSON.parse(kc.exportConfig()));
}

/** The endpoint and token of a token kubeconfig (what the hub's Secret holds). */
export function readTokenKubeconfig(text: string): { endpoint: MemberEndpoint; token?: string } | undefined {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch {
    return undefined;
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) return undefined;
  const token = kc.getCurrentUser()?.token;
  return {
    endpoint: {
      name: kc.getCurrentContext(),
      server: cluster.server,
      ...(cluster.caData ? { caData: cluster.caData } : {}),
      ...(cluster.skipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
    },
    ...(token ? { token } : {}),
  };
}

/** The TokenRequest for the operator's own ServiceAccount: its path and body. */
export function tokenRequest(seconds: number, namespace = SYSTEM_NAMESPACE): { path: string; body: unknown } {
  return {
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${OPERATOR_SERVICE_ACCOUNT}/token`,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds } },
  };
}
