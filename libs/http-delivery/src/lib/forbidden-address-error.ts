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
        : `refusing to connect to ${hostname} at ${address}: ${reason}`,
    );
    this.name = 'ForbiddenAddressError';
  }
}
