// One client set per cluster. Every cluster gets its own KubeConfig whose user names are
// prefixed with the cluster name, because @kubernetes/client-node caches credentials (exec
// plugin tokens) by user name across KubeConfig instances: two kubeconfigs that both call
// their user "admin" would otherwise share one token. Every answer of an API server can be
// observed, for controller-runtime's rest_client_requests_total.
import { createHash } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import type { AgentOptions } from 'node:https';
import {
  ApiException,
  type Cluster,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  KubernetesObjectApi,
  RequestContext,
  Watch,
  type HttpMethod,
  type KubernetesObject,
  type V1Secret,
} from '@kubernetes/client-node';

/**
 * One request answered (or failed), labelled as controller-runtime's rest_client_requests_total
 * labels it: the status code (`<error>` when no response came), the method, the server's host.
 */
export type ResponseObserver = (code: string, method: string, host: string) => void;

interface UndiciRequest {
  method: string;
  origin: string | URL;
}

/**
 * Reports every answer of an API server from now on, whichever client asked; returns the
 * unsubscribe. undici, which carries client-node's requests and watches, publishes each
 * response's status and each failure on diagnostics channels: nothing wraps the requests.
 * (Wrapping each request's handler instead cost the operator ~10% more CPU in the bench.)
 */
export function observeApiResponses(observer: ResponseObserver): () => void {
  const hosts = new Map<string, string>();
  const hostOf = (origin: string | URL): string => {
    if (typeof origin !== 'string') return origin.host;
    let host = hosts.get(origin);
    if (host === undefined) hosts.set(origin, (host = new URL(origin).host));
    return host;
  };
  const answered = (message: unknown): void => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    if (response.statusCode >= 200) observer(String(response.statusCode), request.method, hostOf(request.origin));
  };
  const failed = (message: unknown): void => {
    const { request } = message as { request: UndiciRequest };
    observer('<error>', request.method, hostOf(request.origin));
  };
  diagnostics.subscribe('undici:request:headers', answered);
  diagnostics.subscribe('undici:request:error', failed);
  return () => {
    diagnostics.unsubscribe('undici:request:headers', answered);
    diagnostics.unsubscribe('undici:request:error', failed);
  };
}

/** What client-node's (private) dispatcher factory takes and returns: an undici Agent, or none. */
type DispatcherFactory = (cluster: Cluster | null, agentOptions: AgentOptions) => Dispatcher | undefined;
interface Dispatcher {
  close(): Promise<void>;
}

/** Everything a dispatcher is made from; a change (a rotated client certificate) makes a new one. */
function dispatcherKey(cluster: Cluster | null, options: AgentOptions): string {
  const material = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString('base64') : Array.isArray(v) ? v.map(material) : v);
  const parts: unknown[] = [cluster?.server, cluster?.proxyUrl, cluster?.skipTLSVerify, options.rejectUnauthorized, options.servername];
  for (const field of ['ca', 'cert', 'key', 'pfx', 'passphrase'] as const) parts.push(material(options[field]));
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Every request the client makes (typed APIs, object API, Watch, raw) passes through here.
 * client-node 2.x makes a new undici Agent for every request, so every request opened its
 * own connection and paid a TLS handshake on both ends (most of the operator's CPU in the
 * benchmark, and as much again on the API server). This keeps one Agent, a pool of
 * keep-alive connections, per cluster and credentials.
 */
class ClusterKubeConfig extends KubeConfig {
  private pool: { key: string; dispatcher: Dispatcher } | undefined;

  constructor() {
    super();
    // The factory is private in client-node's types, not at runtime; the unit test
    // "one connection pool per cluster and credentials" fails if that ever changes.
    const self = this as unknown as { createDispatcher: DispatcherFactory };
    const make = self.createDispatcher.bind(this);
    self.createDispatcher = (cluster, options) => this.reuse(cluster, options, make);
  }

  /** Closes the pooled connections (requests in flight finish first). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.dispatcher.close();
  }

  private reuse(cluster: Cluster | null, options: AgentOptions, make: DispatcherFactory): Dispatcher | undefined {
    const key = dispatcherKey(cluster, options);
    if (this.pool?.key === key) return this.pool.dispatcher;
    const dispatcher = make(cluster, options);
    const previous = this.pool;
    this.pool = dispatcher ? { key, dispatcher } : undefined;
    void previous?.dispatcher.close().catch(() => undefined);
    return dispatcher;
  }
}

/** Exposes the discovery-backed REST path the object API computes but keeps protected. */
class ObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): ObjectApi {
    const api = kc.makeApiClient(ObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  pathOf(ref: KubernetesObject, action: 'read' | 'list'): Promise<string> {
    // specUriPath fills in defaults on its argument; keep the caller's object untouched.
    return this.specUriPath(structuredClone(ref), action);
  }
}

export interface RawRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  platform?: string;
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
}

export class ClusterClient {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  /** Generic object API: server-side apply, delete, read of any kind. */
  readonly objects: KubernetesObjectApi;
  readonly watch: Watch;
  private readonly objectApi: ObjectApi;
  private readonly pooled: ClusterKubeConfig;
  private readonly http = new IsomorphicFetchHttpLibrary();

  private constructor(name: string, kc: ClusterKubeConfig) {
    if (name.includes('/')) throw new Error(`cluster name ${JSON.stringify(name)} must not contain '/'`);
    this.name = name;
    this.kubeConfig = kc;
    this.pooled = kc;
    this.objectApi = ObjectApi.forConfig(kc);
    this.objects = this.objectApi;
    this.watch = new Watch(kc);
  }

  /** From kubeconfig YAML text, e.g. the `kubeconfig` key of a Secret. */
  static fromKubeconfig(name: string, kubeconfig: string, context?: string): ClusterClient {
    const kc = new ClusterKubeConfig();
    kc.loadFromString(kubeconfig);
    return ClusterClient.finish(name, kc, context);
  }

  /** From a kubeconfig file (relative paths in it are read from its folder). */
  static fromFile(name: string, file: string, context?: string): ClusterClient {
    const kc = new ClusterKubeConfig();
    kc.loadFromFile(file);
    return ClusterClient.finish(name, kc, context);
  }

  /** From $KUBECONFIG, ~/.kube/config or the in-cluster service account, in that order. */
  static fromDefault(name: string, context?: string): ClusterClient {
    const kc = new ClusterKubeConfig();
    kc.loadFromDefault();
    return ClusterClient.finish(name, kc, context);
  }

  private static finish(name: string, kc: ClusterKubeConfig, context: string | undefined): ClusterClient {
    if (context) kc.setCurrentContext(context);
    prefixUserNames(kc, name);
    return new ClusterClient(name, kc);
  }

  /** A JSON request to `path` (relative to the cluster's server URL); throws ApiException on non-2xx. */
  async request<T = unknown>(method: HttpMethod, path: string, opts: RawRequestOptions = {}): Promise<T> {
    const server = this.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error(`cluster ${this.name}: kubeconfig has no current cluster`);
    const url = new URL(server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), method);
    ctx.setHeaderParam('Accept', 'application/json');
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(opts.body));
    }
    if (opts.signal) ctx.setSignal(opts.signal);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const response = await this.http.send(ctx).toPromise();
    const text = await response.body.text();
    const body: unknown = text ? parseJsonOrText(text) : undefined;
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      throw new ApiException(response.httpStatusCode, `${method} ${path} on cluster ${this.name}`, body, response.headers);
    }
    return body as T;
  }

  /** Closes its connections; for a client that is being replaced or dropped. */
  close(): Promise<void> {
    return this.pooled.close();
  }

  version(): Promise<VersionInfo> {
    return this.request<VersionInfo>('GET', '/version');
  }

  /**
   * The REST path of an object (with `name`) or of its collection (without), using discovery
   * (one request per apiVersion, cached). Append `/status` for the status subresource.
   */
  resourcePath(ref: ResourceRef): Promise<string> {
    const metadata: { namespace?: string; name?: string } = {};
    if (ref.namespace) metadata.namespace = ref.namespace;
    if (ref.name) metadata.name = ref.name;
    return this.objectApi.pathOf({ apiVersion: ref.apiVersion, kind: ref.kind, metadata }, ref.name ? 'read' : 'list');
  }
}

function prefixUserNames(kc: KubeConfig, cluster: string): void {
  const rename = (user: string): string => `${cluster}-${user}`;
  kc.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users.map((u) => ({ ...u, name: rename(u.name) })),
    contexts: kc.contexts.map((c) => ({ ...c, user: rename(c.user) })),
    currentContext: kc.currentContext,
  });
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The kubeconfig text stored in a Secret (base64 in `data`, or plain in `stringData`). */
export function kubeconfigFromSecret(secret: V1Secret, key = 'kubeconfig'): string {
  const encoded = secret.data?.[key];
  if (encoded) return Buffer.from(encoded, 'base64').toString('utf8');
  const plain = secret.stringData?.[key];
  if (plain) return plain;
  throw new Error(`secret ${secret.metadata?.namespace}/${secret.metadata?.name} has no key ${key}`);
}
