import fc from 'fast-check';
import { DELIVERY_HEADERS, deliveryHeadersSchema, parseDeliveryHeaders } from './pipeline-messages';

const written = {
  [DELIVERY_HEADERS.deliveryId]: 'd-1',
  [DELIVERY_HEADERS.connectionId]: 'c-1',
  [DELIVERY_HEADERS.connectionVersion]: '4',
  [DELIVERY_HEADERS.projectId]: 'acme',
  [DELIVERY_HEADERS.event]: 'message_send',
  [DELIVERY_HEADERS.attempt]: '1',
};

describe('parseDeliveryHeaders', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reads the headers the renderer and the retry path write without the schema', () => {
    const schema = jest.spyOn(deliveryHeadersSchema, 'safeParse');

    expect(parseDeliveryHeaders(written)).toEqual({
      success: true,
      data: { ...written, [DELIVERY_HEADERS.connectionVersion]: 4, [DELIVERY_HEADERS.attempt]: 1 },
    });
    const retry = { ...written, [DELIVERY_HEADERS.attempt]: '3', [DELIVERY_HEADERS.dueAt]: '1764201600000' };
    expect(parseDeliveryHeaders({ ...retry, [DELIVERY_HEADERS.failingSince]: '0' })).toEqual({
      success: true,
      data: {
        ...written,
        [DELIVERY_HEADERS.connectionVersion]: 4,
        attempt: 3,
        [DELIVERY_HEADERS.dueAt]: 1764201600000,
        [DELIVERY_HEADERS.failingSince]: 0,
      },
    });
    expect(schema).not.toHaveBeenCalled();
  });

  it('names the header that is wrong, as the schema does', () => {
    const result = parseDeliveryHeaders({ ...written, [DELIVERY_HEADERS.attempt]: 'two' });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual([DELIVERY_HEADERS.attempt]);
  });

  it('gives what the schema gives, for any headers', () => {
    const text = fc.oneof(
      fc.constantFrom('', '0', '1', '01', '7', '-1', '1.5', ' 2', '2 ', '1e3', 'abc', '9007199254740993'),
      fc.nat().map(String),
      fc.string({ maxLength: 6 }),
    );
    const headers = fc.record(
      {
        [DELIVERY_HEADERS.deliveryId]: text,
        [DELIVERY_HEADERS.connectionId]: text,
        [DELIVERY_HEADERS.connectionVersion]: text,
        [DELIVERY_HEADERS.projectId]: text,
        [DELIVERY_HEADERS.event]: text,
        [DELIVERY_HEADERS.attempt]: text,
        [DELIVERY_HEADERS.dueAt]: text,
        [DELIVERY_HEADERS.failingSince]: text,
        other: text,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(headers, (each) => {
        const expected = deliveryHeadersSchema.safeParse(each);
        const actual = parseDeliveryHeaders(each);
        expect(actual.success).toBe(expected.success);
        if (expected.success) expect(actual.data).toStrictEqual(expected.data);
        else expect(actual.error?.issues).toEqual(expected.error.issues);
      }),
      { numRuns: 2_000 },
    );
  });
});
