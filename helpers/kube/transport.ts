// The HTTP side of helpers/kube. It reuses client-node's KubernetesObjectApi for what it does
// well (authentication from the kubeconfig, TLS, API discovery of any kind, CRDs included, the
// way kubectl finds resources) and sends plain JSON: client-node's model serializer would drop
// fields it does not know, so a typo in a manifest would never reach the server's validation.
import {
  HttpMethod,
  KubernetesObjectApi,
  Observable,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { HttpFailure, NotServedError } from './errors';

type Action = 'create' | 'delete' | 'patch' | 'read' | 'list' | 'replace';

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  contentType?: string;
  /** 'text' for subresources that answer plain text (pods/log). */
  responseType?: 'json' | 'text';
}

export class ApiTransport extends KubernetesObjectApi {
  /** Per-request time budget in ms: an API server that never answers is an error, not a hang. */
  requestTimeoutMs = 30_000;

  static connect(kubeConfig: KubeConfig, requestTimeoutMs: number): ApiTransport {
    const transport = kubeConfig.makeApiClient(ApiTransport);
    transport.setDefaultNamespace(kubeConfig);
    transport.requestTimeoutMs = requestTimeoutMs;
    // Applies to client-node's own discovery requests as well as ours.
    transport.configuration.middleware.push({
      pre: (context: RequestContext) => {
        if (!context.getSignal()) context.setSignal(AbortSignal.timeout(transport.requestTimeoutMs));
        return new Observable(Promise.resolve(context));
      },
      post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
    });
    return transport;
  }

  /** The namespace of the kubeconfig context, used for namespaced objects that name none. */
  get namespace(): string {
    return this.defaultNamespace;
  }

  /** Whether the kind is namespaced, from discovery; NotServedError when the server lacks it. */
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean> {
    const resource = await this.discover(apiVersion, kind);
    return resource.namespaced;
  }

  /** The REST path of an object (or of its collection, for create and list). */
  async pathOf(
    header: { apiVersion: string; kind: string; name?: string; namespace?: string },
    action: Action,
  ): Promise<string> {
    await this.discover(header.apiVersion, header.kind);
    // specUriPath fills in defaults on the object it gets: give it a copy.
    const spec = { apiVersion: header.apiVersion, kind: header.kind, metadata: { name: header.name, namespace: header.namespace } };
    return this.specUriPath(spec, action);
  }

  private async discover(apiVersion: string, kind: string): Promise<{ namespaced: boolean; name: string }> {
    let resource;
    try {
      resource = await this.resource(apiVersion, kind);
    } catch (error) {
      if ((error as { code?: number }).code === 404) {
        throw new NotServedError(`the API server does not serve ${apiVersion} (is the CRD or API group installed?)`);
      }
      throw error;
    }
    if (!resource) throw new NotServedError(`the API server serves ${apiVersion} but no kind ${kind} in it`);
    return resource;
  }

  /** Sends one request with the kubeconfig's credentials; throws HttpFailure outside 2xx. */
  async request<T = unknown>(method: keyof typeof HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    let context = this.configuration.baseServer.makeRequestContext(path, HttpMethod[method]);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) context.setQueryParam(name, String(value));
    }
    context.setHeaderParam('Accept', options.responseType === 'text' ? 'text/plain, */*' : 'application/json');
    if (options.body !== undefined) {
      context.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      context.setBody(JSON.stringify(options.body));
    }
    await this.configuration.authMethods.default?.applySecurityAuthentication(context);
    for (const middleware of this.configuration.middleware) context = await middleware.pre(context).toPromise();
    let response = await this.configuration.httpApi.send(context).toPromise();
    for (const middleware of this.configuration.middleware) response = await middleware.post(response).toPromise();
    const text = await response.body.text();
    const isJson = /json/.test(String(response.headers['content-type'] ?? ''));
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      throw new HttpFailure(response.httpStatusCode, isJson ? safeParse(text) : text);
    }
    if (options.responseType === 'text') return text as T;
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
