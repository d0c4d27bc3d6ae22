// The bench fails on an error answer of an API server, except those of ordinary work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { snapshot, unexpectedErrors, windowBetween, type Snapshot } from '../../../bench/requests.ts';
import type { Kube } from '../../../bench/kube.ts';

const metrics = (ordinary: number, status422: number) =>
  [
    `apiserver_request_total{code="201",component="apiserver",group="",resource="namespaces",scope="resource",subresource="",verb="POST",version="v1"} 40`,
    `apiserver_request_total{code="404",component="apiserver",group="",resource="namespaces",scope="resource",subresource="",verb="DELETE",version="v1"} ${7 + ordinary}`,
    `apiserver_request_total{code="409",component="apiserver",group="govcloud.dev",resource="agencies",scope="resource",subresource="",verb="PATCH",version="v1alpha1"} ${2 + ordinary}`,
    `apiserver_request_total{code="429",component="apiserver",group="",resource="namespaces",scope="resource",subresource="",verb="LIST",version="v1"} ${1 + ordinary}`,
    `apiserver_request_total{code="403",component="apiserver",group="",resource="configmaps",scope="resource",subresource="",verb="POST",version="v1"} ${3 + ordinary}`,
    `apiserver_request_total{code="422",component="apiserver",group="govcloud.dev",resource="shareddataservices",scope="resource",subresource="status",verb="APPLY",version="v1alpha1"} ${status422}`,
  ].join('\n');

function cluster(text: () => string): Kube {
  return { name: 'dc-hanoi', counts: new Map(), request: async () => ({ status: 200, body: text() }) } as unknown as Kube;
}

test("404, 409, 429 and the clusters' own refused side effects are ordinary; a 422 on a status write fails the run, named with its count", async () => {
  let ordinary = 0;
  let refused = 0;
  const k = cluster(() => metrics(ordinary, refused));
  const before: Snapshot = await snapshot([k]);
  ordinary = 5;
  const usual = await snapshot([k]);
  assert.equal(unexpectedErrors(windowBetween(before, usual)), [], 'five more of each ordinary error');
  refused = 188;
  const after = await snapshot([k]);
  assert.equal(unexpectedErrors(windowBetween(before, after)), ['dc-hanoi: APPLY govcloud.dev/shareddataservices/status 422: 188']);
});

test.run();
