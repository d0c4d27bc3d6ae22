// The clusters under test, read from one kubeconfig with one context per cluster:
// GOVCLOUD_KUBECONFIG, else .local/kubeconfig (written by `make cluster-up`). The same suite
// runs against kind clusters or anything else reachable through such a kubeconfig.
import * as https from 'node:https';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, ApiextensionsV1Api, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { httpsRequest } from './https.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIELD_MANAGER = 'govcloud-e2e';

/** An answer of the API server that was not 2xx. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly reason: string;
  readonly body: unknown;
  constructor(status: number, reason: string, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

export interface RawResponse {
  status: number;
  body: unknown;
}

export interface ResourceInfo {
  /** Plural resource name, e.g. "deployments". */
  name: string;
  namespaced: boolean;
  /** "/api/v1" or "/apis/<group>/<version>". */
  base: string;
}

/** Who a request is made as, through the Impersonate-User and Impersonate-Group headers. */
export interface Impersonation {
  user: string;
  groups: readonly string[];
}

export interface ApplyOptions {
  /** Server-side dry run: validated and admitted, never stored. */
  dryRun?: boolean;
  /** Namespace for a namespaced object (overrides metadata.namespace). */
  namespace?: string;
  force?: boolean;
}

export class Cluster {
  readonly name: string;
  readonly kubeconfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly apiextensions: ApiextensionsV1Api;
  readonly version: VersionApi;
  private readonly discovery = new Map<string, Promise<Array<{ name: string; kind: string; namespaced: boolean }>>>();
  private readonly file: string;
  private readonly impersonation: Impersonation | undefined;

  constructor(file: string, context: string, impersonation?: Impersonation) {
    this.file = file;
    this.impersonation = impersonation;
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    kc.setCurrentContext(context);
    this.name = context;
    this.kubeconfig = kc;
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.apiextensions = kc.makeApiClient(ApiextensionsV1Api);
    this.version = kc.makeApiClient(VersionApi);
  }

  /**
   * The same cluster, every request of `request`, `call` and `apply` made as `user` in `groups`
   * (the admin credentials impersonate them): what a tenant may do, judged by the real API server.
   */
  as(user: string, groups: readonly string[]): Cluster {
    return new Cluster(this.file, this.name, { user, groups });
  }

  get server(): string {
    const server = this.kubeconfig.getCurrentCluster()?.server;
    if (!server) throw new Error(`context ${this.name} names no cluster server`);
    return server;
  }

  /** One HTTP request to the API server with the context's credentials (for what the typed clients lack). */
  async request(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
    const options: https.RequestOptions = {};
    await this.kubeconfig.applyToHTTPSOptions(options);
    const headers: Record<string, string | string[]> = {};
    if (this.impersonation) {
      headers['impersonate-user'] = this.impersonation.user;
      headers['impersonate-group'] = [...this.impersonation.groups];
    }
    return httpsRequest(new URL(urlPath, this.server), { method, options, headers, body, contentType });
  }

  /** Like request, but throws ApiError unless the answer is 2xx; returns the body. */
  async call(method: string, urlPath: string, body?: unknown, contentType?: string): Promise<unknown> {
    const res = await this.request(method, urlPath, body, contentType);
    if (res.status >= 200 && res.status < 300) return res.body;
    const status = res.body as { reason?: string; message?: string } | undefined;
    throw new ApiError(
      res.status,
      status?.reason ?? 'Unknown',
      `${this.name}: ${method} ${urlPath} -> ${res.status} ${status?.reason ?? ''}: ${status?.message ?? JSON.stringify(res.body)}`,
      res.body,
    );
  }

  /** The REST resource serving `kind` in `apiVersion` (discovery, cached per group version). */
  async resourceFor(apiVersion: string, kind: string, { refresh = false } = {}): Promise<ResourceInfo> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (refresh) this.discovery.delete(base);
    let list = this.discovery.get(base);
    if (!list) {
      list = this.call('GET', base).then(
        (b) => (b as { resources: Array<{ name: string; kind: string; namespaced: boolean }> }).resources,
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) {
            throw new Error(`${this.name}: the API server serves no ${apiVersion} (is its CRD installed?)`);
          }
          throw err;
        },
      );
      this.discovery.set(base, list);
      list.catch(() => this.discovery.delete(base));
    }
    const found = (await list).find((r) => r.kind === kind && !r.name.includes('/'));
    if (!found) {
      if (!refresh) return this.resourceFor(apiVersion, kind, { refresh: true });
      throw new Error(`${this.name}: the API server serves no kind ${kind} in ${apiVersion}`);
    }
    return { name: found.name, namespaced: found.namespaced, base };
  }

  /** Server-side apply of one object (strict field validation), optionally as a dry run. */
  async apply<T extends KubernetesObject>(obj: T, opts: ApplyOptions = {}): Promise<T> {
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new Error(`cannot apply an object without apiVersion, kind and metadata.name: ${JSON.stringify(obj).slice(0, 200)}`);
    }
    const res = await this.resourceFor(obj.apiVersion, obj.kind);
    const body = structuredClone(obj);
    let urlPath = res.base;
    if (res.namespaced) {
      const ns = opts.namespace ?? body.metadata!.namespace;
      if (!ns) throw new Error(`${obj.kind} ${obj.metadata.name} is namespaced: give a namespace`);
      body.metadata!.namespace = ns;
      urlPath += `/namespaces/${encodeURIComponent(ns)}`;
    } else {
      delete body.metadata!.namespace;
    }
    urlPath += `/${res.name}/${encodeURIComponent(obj.metadata.name)}`;
    const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' });
    if (opts.force ?? true) query.set('force', 'true');
    if (opts.dryRun) query.set('dryRun', 'All');
    return (await this.call('PATCH', `${urlPath}?${query.toString()}`, body, 'application/apply-patch+yaml')) as T;
  }
}

/** Where the suite reads its clusters from. */
export function kubeconfigPath(): string {
  return path.resolve(ROOT, process.env.GOVCLOUD_KUBECONFIG ?? '.local/kubeconfig');
}

let cached: Cluster[] | undefined;

/**
 * Every context of the kubeconfig is one cluster, in file order; the first is the hub unless
 * GOVCLOUD_HUB names another. GOVCLOUD_CONTEXTS (comma-separated) restricts the set.
 */
export function loadClusters(): Cluster[] {
  if (cached) return cached;
  const file = kubeconfigPath();
  if (!existsSync(file)) {
    throw new Error(
      `no kubeconfig at ${file}: run \`make cluster-up\` (local platform) or set GOVCLOUD_KUBECONFIG to a kubeconfig with one context per cluster`,
    );
  }
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  let contexts = kc.getContexts().map((c) => c.name);
  const only = process.env.GOVCLOUD_CONTEXTS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (only?.length) {
    const unknown = only.filter((c) => !contexts.includes(c));
    if (unknown.length) throw new Error(`GOVCLOUD_CONTEXTS names contexts not in ${file}: ${unknown.join(', ')}`);
    contexts = only;
  }
  if (contexts.length === 0) throw new Error(`${file} has no contexts`);
  const users = contexts.map((c) => kc.getContextObject(c)?.user);
  if (new Set(users).size !== users.length) {
    // @kubernetes/client-node caches credentials by user name: two clusters with one user
    // name would silently share one cluster's credentials.
    throw new Error(`${file}: every context needs its own user name (got ${users.join(', ')})`);
  }
  const hub = process.env.GOVCLOUD_HUB;
  if (hub) {
    if (!contexts.includes(hub)) throw new Error(`GOVCLOUD_HUB=${hub} is not a context of ${file}`);
    contexts = [hub, ...contexts.filter((c) => c !== hub)];
  }
  cached = contexts.map((c) => new Cluster(file, c));
  return cached;
}

/** The hub cluster (where the operator runs): the first of loadClusters(). */
export function hubCluster(): Cluster {
  return loadClusters()[0]!;
}
