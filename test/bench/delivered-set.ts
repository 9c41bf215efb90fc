/** The most webhook-ids a run keeps for its cross-check (the fault suite's runs keep more). */
export const MAX_CHECKED_IDS = 100_000;

/**
 * Which webhooks reached the receiver with a 2xx answer, one bit per webhook index (event
 * sequence number × fan-out + slot), so millions of webhooks take a few hundred kilobytes.
 *
 * The webhook-id is derived from the input record and the connection, so within one run it
 * names the same webhook as the index does. While the run is small enough, the ids are kept too
 * and cross-checked: one id per index, one index per id.
 */
export class DeliveredSet {
  private bits = new Uint8Array(1 << 16);
  private delivered = 0;
  private duplicates = 0;
  /** Per webhook-id: its index and when it first arrived (ms). */
  private readonly ids = new Map<string, { index: number; at: number }>();
  private idMismatches = 0;
  private idsOverflowed = false;

  constructor(private readonly maxIds = MAX_CHECKED_IDS) {}

  get count(): number {
    return this.delivered;
  }

  get duplicateCount(): number {
    return this.duplicates;
  }

  has(index: number): boolean {
    const byte = index >>> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (index & 7))) !== 0;
  }

  /** When a webhook-id first arrived, while ids are kept. */
  firstArrivalOf(webhookId: string | undefined): number | undefined {
    return webhookId === undefined ? undefined : this.ids.get(webhookId)?.at;
  }

  /** Records a delivery; false when that webhook had been delivered before (a duplicate). */
  mark(index: number, webhookId: string | undefined, at: number): boolean {
    this.checkId(index, webhookId, at);
    const byte = index >>> 3;
    if (byte >= this.bits.length) this.grow(byte);
    const bit = 1 << (index & 7);
    if ((this.bits[byte] & bit) !== 0) {
      this.duplicates++;
      return false;
    }
    this.bits[byte] |= bit;
    this.delivered++;
    return true;
  }

  /** The webhook-ids of the delivered webhooks with an index in [from, to), while ids are kept. */
  idsWithin(from: number, to: number): string[] {
    const ids: string[] = [];
    for (const [id, { index }] of this.ids) if (index >= from && index < to) ids.push(id);
    return ids;
  }

  idCheck(): { checked: boolean; distinctIds: number; mismatches: number } {
    return { checked: !this.idsOverflowed, distinctIds: this.ids.size, mismatches: this.idMismatches };
  }

  private checkId(index: number, webhookId: string | undefined, at: number): void {
    if (this.idsOverflowed) return;
    if (webhookId === undefined) {
      this.idMismatches++;
      return;
    }
    const known = this.ids.get(webhookId);
    if (known === undefined) {
      if (this.ids.size >= this.maxIds) {
        this.idsOverflowed = true;
        this.ids.clear();
        return;
      }
      // A new id for an index already delivered means the same webhook came with another id.
      if (this.has(index)) this.idMismatches++;
      this.ids.set(webhookId, { index, at });
    } else if (known.index !== index) {
      this.idMismatches++;
    }
  }

  private grow(byte: number): void {
    let size = this.bits.length;
    while (size <= byte) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.bits);
    this.bits = bigger;
  }
}
