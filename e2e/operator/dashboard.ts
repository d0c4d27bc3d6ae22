// The dashboard on the local platform, as the chart deploys it: its ServiceAccount and
// ClusterRoles rendered by the built helm (dashboard.enabled=true), a kubeconfig holding a
// token of that ServiceAccount, and `govcloud dashboard` as a process. The e2e file and
// `make up` (e2e/operator/local.sh dashboard-identity) both use it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { template } from '../../operator/test/install/helm.ts';
import { govcloudBin, ROOT, waitFor, type Cluster } from '../harness/index.ts';
import { NAMESPACE } from './platform.ts';

export const DASHBOARD_SERVICE_ACCOUNT = 'govcloud-operator-dashboard';
export const LEADERSHIP_ROLE = 'govcloud-dashboard-leadership';
export const DASHBOARD_KUBECONFIG = path.join(ROOT, '.local', 'dashboard-kubeconfig.yaml');

/** A bounded token of a ServiceAccount in the operator's namespace (TokenRequest API). */
export async function serviceAccountToken(hub: Cluster, name: string, seconds = 3600): Promise<string> {
  const review = (await hub.call('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: seconds },
  })) as { status: { token: string } };
  return review.status.token;
}

/** The chart's dashboard RBAC on the hub, and a kubeconfig of its ServiceAccount (mode 0600); resolves to its path. */
export async function installDashboardIdentity(hub: Cluster, seconds = 24 * 3600): Promise<string> {
  const objects = template(['dashboard.enabled=true']).filter((o) => o.metadata.name.includes('dashboard') && o.kind !== 'Deployment' && o.kind !== 'Service');
  for (const o of objects) await hub.apply(o as KubernetesObject);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...hub.kubeconfig.getCurrentCluster()!, name: hub.name }],
    users: [{ name: DASHBOARD_SERVICE_ACCOUNT, token: await serviceAccountToken(hub, DASHBOARD_SERVICE_ACCOUNT, seconds) }],
    contexts: [{ name: hub.name, cluster: hub.name, user: DASHBOARD_SERVICE_ACCOUNT }],
    currentContext: hub.name,
  });
  mkdirSync(path.dirname(DASHBOARD_KUBECONFIG), { recursive: true });
  writeFileSync(DASHBOARD_KUBECONFIG, kc.exportConfig(), { mode: 0o600 });
  return DASHBOARD_KUBECONFIG;
}

/** `govcloud dashboard` (the bundle) on a free loopback port, once its informers have synced. */
export async function startDashboardProcess(kubeconfig: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [govcloudBin(), 'dashboard', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the dashboard did not start: ${text}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const m = /serving on (http:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`the dashboard exited (${code}): ${text}`)));
  });
  await waitFor('the dashboard ready', async () => (await fetch(new URL('/readyz', url))).ok, { timeoutMs: 30_000 });
  return { child, url };
}
