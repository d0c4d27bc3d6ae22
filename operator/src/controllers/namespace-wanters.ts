// Which agencies would have a namespace of a given name (their hub namespace and their
// workspaces), kept up to date as agencies come, change and go. Every namespace event in every
// data centre asks it (an agency waiting for a namespace it may not take tries again), tens of
// thousands of events when thousands of agencies converge or go at once: each is answered from
// this index, not by a pass over every agency.
import { hubNamespaceOf, workspaceNamespaces, type Agency } from '../api/index.ts';

export class NamespaceWanters {
  private readonly byNamespace = new Map<string, Set<string>>();
  private readonly ofAgency = new Map<string, readonly string[]>();

  /** The agency as it is now; one being deleted wants nothing. */
  set(agency: Agency): void {
    const name = agency.metadata.name;
    this.remove(name);
    if (agency.metadata.deletionTimestamp) return;
    const wanted = [hubNamespaceOf(name), ...workspaceNamespaces(agency)];
    this.ofAgency.set(name, wanted);
    for (const namespace of wanted) {
      const agencies = this.byNamespace.get(namespace);
      if (agencies) agencies.add(name);
      else this.byNamespace.set(namespace, new Set([name]));
    }
  }

  remove(agencyName: string): void {
    for (const namespace of this.ofAgency.get(agencyName) ?? []) {
      const agencies = this.byNamespace.get(namespace);
      agencies?.delete(agencyName);
      if (agencies?.size === 0) this.byNamespace.delete(namespace);
    }
    this.ofAgency.delete(agencyName);
  }

  of(namespace: string): string[] {
    return [...(this.byNamespace.get(namespace) ?? [])];
  }
}
