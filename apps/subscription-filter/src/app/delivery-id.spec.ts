import { deliveryId } from './delivery-id';

describe('deliveryId', () => {
  it('is the same for the same record and connection, across releases', () => {
    // Ids already delivered must not change: an endpoint deduplicates on them.
    expect(deliveryId('campaign.message-events', 3, '123456', 'c-1')).toBe(
      'b919907e-705c-806a-9893-b185821e77cc',
    );
    expect(deliveryId('campaign.subscription-events', 0, '0', 'ünïcode-connection')).toBe(
      'dc99db97-e1af-8ba5-bc8c-af0d0c4ba534',
    );
  });

  it('differs with the offset, the connection and the namespace, and is a version 8 UUID', () => {
    const ids = [
      deliveryId('campaign.message-events', 3, '123456', 'c-1'),
      deliveryId('campaign.message-events', 3, '123457', 'c-1'),
      deliveryId('campaign.message-events', 3, '123456', 'c-2'),
      deliveryId('campaign.message-events', 3, '123456', 'c-1', 'cluster-2027'),
      deliveryId('campaign.message-events', 3, '123456', 'c-1', 'cluster-2028'),
    ];
    expect(new Set(ids).size).toBe(5);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
