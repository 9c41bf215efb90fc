/**
 * A refused address. For a name, the message gives the kind of address it resolved to, not the
 * address: it reaches the project (delivery log, alerts, emails), and an internal name's address
 * is the deployment's to know. `address` keeps it for the service's own use.
 */
export class ForbiddenAddressError extends Error {
  readonly code = 'EFORBIDDENADDRESS';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(
      hostname === address
        ? `refusing to connect to ${address}: ${reason}`
        : `refusing to connect to ${hostname}: it resolves to an address that is not public: ${reason}`,
    );
    this.name = 'ForbiddenAddressError';
  }
}
