// Who uses what: containers register the image, volumes and networks they hold, so `rmi` and
// `volume rm` refuse with 409 while in use, and `df`/`images` can count users. The container
// service (later) is the only writer; images and volumes only read.

export type UsageKind = 'image' | 'volume' | 'network';

export class UsageTracker {
  readonly #users = new Map<string, Set<string>>();

  #key(kind: UsageKind, id: string): string {
    return `${kind}\0${id}`;
  }

  /** Records that `user` (a container id) holds the resource. */
  add(kind: UsageKind, id: string, user: string): void {
    const k = this.#key(kind, id);
    let set = this.#users.get(k);
    if (!set) this.#users.set(k, (set = new Set()));
    set.add(user);
  }

  remove(kind: UsageKind, id: string, user: string): void {
    const k = this.#key(kind, id);
    const set = this.#users.get(k);
    set?.delete(user);
    if (set?.size === 0) this.#users.delete(k);
  }

  /** Forgets every resource a user held (its container was removed). */
  removeUser(user: string): void {
    for (const [k, set] of this.#users) {
      set.delete(user);
      if (set.size === 0) this.#users.delete(k);
    }
  }

  /** The users of a resource, in the order they registered. */
  users(kind: UsageKind, id: string): string[] {
    return [...(this.#users.get(this.#key(kind, id)) ?? [])];
  }
}
