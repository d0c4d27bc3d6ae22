/**
 * NetworkPolicy semantics: who can reach what. Pure: objects in, verdicts out.
 *
 * - objects.ts   Kubernetes objects (YAML or live) → namespaces, pods/representative pods, Services, policies
 * - policy.ts    a NetworkPolicy, defaulted and validated as the API server does
 * - evaluate.ts  the evaluator: isolation, rules, peers, ipBlocks, ports; per port or every port
 * - matrix.ts    namespaces × destinations (Service ports, unserved pods, hosts)
 * - explain.ts   `--explain SRC DST`
 * - report.ts    rows grouped by source namespace; JSON
 * - view.ts      one cluster's objects ready for the evaluator
 * - govcloud.ts  a platform rendered per data centre; hosts; cross-data-centre paths via network range
 * - catalogue.ts shared data services with owner, identifier and consumers (from the renderer)
 * - selector.ts  label selectors (addresses and ranges: model/ip.ts)
 */
export { Evaluator, namespaceLabels, type Party, type PortQuery, type Verdict, type VerdictValue, type DirectionVerdict, type RuleMatch, type Coverage, type PortSpan } from './evaluate.ts';
export { readInventory, DEFAULT_NAMESPACE, WORKLOAD_KINDS, type Inventory, type InputObject, type Source, type Service, type ServicePort } from './objects.ts';
export { parseNetworkPolicy, type ParsedPolicy, type FieldError } from './policy.ts';
export { PROTOCOLS, NAMESPACE_NAME_LABEL, policyRef, endpointRef, type Protocol, type Namespace, type Endpoint, type ContainerPort, type Host, type Policy, type Rule, type Peer, type PolicyPort, type PortRange, type Direction } from './model.ts';
export { buildMatrix, destinationsOf, anyPodOf, destinationLabel, destinationPort, sourceKey, formatSpan, type Matrix, type MatrixInput, type Cell, type CellVerdict, type SourceRef, type DestinationRef, type SideSummary } from './matrix.ts';
export { explain, resolveEnd, formatExplanation, describeMatch, parsePortOption, partyLabel, type Explanation, type PairExplanation, type ResolvedEnd, type ExplainOptions } from './explain.ts';
export { matrixRows, matrixJson, cellJson, decidedBy, MATRIX_HEADERS, type RowGroup } from './report.ts';
export { plainView, viewMatrix, type View, type ViewMatrix } from './view.ts';
export { platformViews, hostsFor, crossDataCentre, DATA_CENTRE_HOST_PREFIX, NETWORK_HOST_PREFIX, INTERNET_HOST, type PlatformViews, type CrossCell } from './govcloud.ts';
export { catalogue, consumersText, type CatalogueEntry } from './catalogue.ts';
export { AddressSet, parseCidr, parseIP, formatIP, isStrictSubset, type Cidr, type Family } from '../model/ip.ts';
export { parseSelector, matches, formatSelector, isEverything, EVERYTHING, type Selector, type Requirement, type Labels } from './selector.ts';
