// Renewing a joined member's credential (`govcloud join`): the Secret holds a kubeconfig with a
// bound ServiceAccount token of the member. Before it expires (join/credentials.ts renewAt: two
// thirds into its life) the operator asks the member for a new one with the current token
// (TokenRequest for its own ServiceAccount: the only token it may request there) and writes
// it into the same Secret on the hub (patch, allowed for that Secret only). The Secret's
// change then reconnects the member through the usual path (dataCentresForSecret,
// connector.ts). When renewing fails, the DataCentre says so in CredentialsExpiring.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { DataCentre } from '../api/index.ts';
import {
  KUBECONFIG_KEY,
  lifetimeSeconds,
  readTokenKubeconfig,
  RENEW_BEFORE_ANNOTATION,
  RENEWED_TOKEN_ANNOTATION,
  renewAt,
  tokenKubeconfig,
  tokenRequest,
  tokenTimes,
} from '../join/credentials.ts';
import { ClusterClient, errorMessage, kubeconfigFromSecret, setCondition, withDeadline, type Condition } from '../runtime/index.ts';
import type { ControllerContext } from './context.ts';

export const CREDENTIALS_EXPIRING = 'CredentialsExpiring';
/** After a failed renewal: soon enough to renew within the third of the lifetime left, seldom enough not to hammer a member that is down. */
const RETRY_MS = 60_000;

/** The two calls a renewal makes; kubeCredentialRenewer makes them for real. */
export interface CredentialRenewer {
  /** A new token from the member, asked with the kubeconfig's current token. */
  requestToken(dataCentre: string, kubeconfig: string, seconds: number, signal: AbortSignal): Promise<string>;
  /** Writes the kubeconfig into the Secret (in the operator's namespace on the hub). */
  writeSecret(name: string, key: string, kubeconfig: string, signal: AbortSignal): Promise<void>;
}

export function kubeCredentialRenewer(hubClient: ClusterClient, namespace: string, timeoutMs: number): CredentialRenewer {
  return {
    async requestToken(dataCentre, kubeconfig, seconds, signal) {
      const member = ClusterClient.fromKubeconfig(dataCentre, kubeconfig);
      try {
        const { path, body } = tokenRequest(seconds);
        const review = await withDeadline(timeoutMs, signal, (bounded) =>
          member.request<{ status?: { token?: string } }>('POST', path, { body, signal: bounded }),
        );
        if (!review.status?.token) throw new Error('the TokenRequest answered without a token');
        return review.status.token;
      } finally {
        await member.close();
      }
    },
    async writeSecret(name, key, kubeconfig, signal) {
      await withDeadline(timeoutMs, signal, (bounded) =>
        hubClient.request('PATCH', `/api/v1/namespaces/${namespace}/secrets/${name}`, {
          contentType: 'application/merge-patch+json',
          body: { data: { [key]: Buffer.from(kubeconfig, 'utf8').toString('base64') } },
          signal: bounded,
        }),
      );
    },
  };
}

export interface CredentialCheck {
  /** CredentialsExpiring added to the conditions (none for credentials the operator does not renew). */
  conditions: Condition[];
  /** When to look again: the renewal time. */
  requeueAt?: Date;
}

/**
 * Renews the DataCentre's token when due, and reports CredentialsExpiring. Only Secrets that
 * join made (RENEWED_TOKEN_ANNOTATION) are renewed: other kubeconfigs (certificates, tokens
 * from elsewhere) are their owner's to renew.
 */
export async function checkCredentials(
  ctx: ControllerContext,
  dc: DataCentre & KubernetesObject,
  conditions: Condition[],
  now: number,
  signal: AbortSignal,
): Promise<CredentialCheck> {
  const ref = dc.spec.connection.kubeconfigSecretRef;
  const secret = ref && ref.namespace === ctx.hub.namespace ? ctx.hub.secret(ref.name) : undefined;
  if (!ref || !secret?.metadata?.annotations?.[RENEWED_TOKEN_ANNOTATION] || !ctx.credentials) return { conditions };
  const key = ref.key ?? KUBECONFIG_KEY;
  const generation = dc.metadata.generation;
  const set = (status: 'True' | 'False', reason: string, message: string) =>
    setCondition(
      conditions,
      { type: CREDENTIALS_EXPIRING, status, reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}) },
      now,
    );
  let text: string;
  try {
    text = kubeconfigFromSecret(secret, key);
  } catch (err) {
    return { conditions: set('True', 'SecretInvalid', `Secret ${ref.namespace}/${ref.name}: ${errorMessage(err)}`) };
  }
  const current = readTokenKubeconfig(text);
  const times = current?.token ? tokenTimes(current.token) : undefined;
  if (!current?.token || !times)
    return { conditions: set('True', 'TokenUnreadable', `Secret ${ref.namespace}/${ref.name} holds no ServiceAccount token with an expiry to renew`) };
  const due = renewAt(times, secret.metadata.annotations[RENEW_BEFORE_ANNOTATION]);
  if (now < due.getTime()) {
    return {
      conditions: set('False', 'Valid', `token valid until ${times.expiresAt.toISOString()}, renewed from ${due.toISOString()}`),
      requeueAt: due,
    };
  }
  try {
    const token = await ctx.credentials.requestToken(dc.metadata.name, text, lifetimeSeconds(times), signal);
    await ctx.credentials.writeSecret(ref.name, key, tokenKubeconfig(current.endpoint, token), signal);
    const renewed = tokenTimes(token);
    void ctx.recorder.normal(dc, 'CredentialsRenewed', 'Renew', `token renewed${renewed ? `, valid until ${renewed.expiresAt.toISOString()}` : ''}`);
    return {
      conditions: set('False', 'Renewed', `token renewed${renewed ? `, valid until ${renewed.expiresAt.toISOString()}` : ''}`),
      ...(renewed ? { requeueAt: renewAt(renewed) } : {}),
    };
  } catch (err) {
    const expired = now >= times.expiresAt.getTime();
    const message =
      `renewing the token failed: ${errorMessage(err)}; it ${expired ? 'expired' : 'expires'} at ${times.expiresAt.toISOString()}` +
      (expired ? ': run govcloud join again with a member administrator' : '; retrying');
    void ctx.recorder.warning(dc, CREDENTIALS_EXPIRING, 'Renew', message);
    return { conditions: set('True', expired ? 'Expired' : 'RenewalFailed', message), requeueAt: new Date(now + RETRY_MS) };
  }
}
