import { connectionSnapshot } from '@campaign-webhooks/contracts';
import { ConnectionIndex } from './connection-index';

const snapshot = (id: string, projectId: string, version = 1) =>
  connectionSnapshot({ id, project_id: projectId, name: id, version });

describe('ConnectionIndex', () => {
  it('indexes connections by project and replaces them on change', () => {
    const index = new ConnectionIndex();
    index.applyChange('a', JSON.stringify(snapshot('a', 'acme')));
    index.applyChange('b', JSON.stringify(snapshot('b', 'acme')));
    index.applyChange('c', JSON.stringify(snapshot('c', 'globex')));
    index.applyChange('a', JSON.stringify({ ...snapshot('a', 'acme', 2), name: 'renamed' }));
    expect(
      index
        .forProject('acme')
        .map((c) => c.name)
        .sort(),
    ).toEqual(['b', 'renamed']);
    expect(index.forProject('globex')).toHaveLength(1);
    expect(index.appliedChanges).toBe(4);
  });

  it('deletes on a tombstone', () => {
    const index = new ConnectionIndex();
    index.applyChange('a', JSON.stringify(snapshot('a', 'acme')));
    index.applyChange('a', null);
    expect(index.get('a')).toBeUndefined();
    expect(index.forProject('acme')).toEqual([]);
  });

  it('takes a connection back after its tombstone, at the version it held before', () => {
    // An update's v2 went out and was rolled back, then a removal's tombstone: the removal's
    // correction publishes the row as committed at v2 again. Replays are the reader's to skip.
    const index = new ConnectionIndex();
    index.applyChange('a', JSON.stringify(snapshot('a', 'acme', 2)));
    index.applyChange('a', null);
    index.applyChange('a', JSON.stringify(snapshot('a', 'acme', 2)));
    expect(index.get('a')?.version).toBe(2);
    expect(index.forProject('acme')).toHaveLength(1);
  });

  it('remembers the most recent deletions, not a replaced version', () => {
    const index = new ConnectionIndex(2);
    for (const id of ['a', 'b', 'c']) {
      index.applyChange(id, JSON.stringify(snapshot(id, 'acme')));
      index.applyChange(id, JSON.stringify(snapshot(id, 'acme', 2)));
    }
    expect(['a', 'b', 'c'].some((id) => index.wasDeleted(id))).toBe(false);
    for (const id of ['a', 'b', 'c']) index.applyChange(id, null);
    expect(['a', 'b', 'c'].map((id) => index.wasDeleted(id))).toEqual([false, true, true]);
  });

  it('ignores an older version arriving late', () => {
    const index = new ConnectionIndex();
    index.applyChange('a', JSON.stringify({ ...snapshot('a', 'acme', 3), name: 'new' }));
    index.applyChange('a', JSON.stringify({ ...snapshot('a', 'acme', 2), name: 'old' }));
    expect(index.get('a')?.name).toBe('new');
  });

  it('refuses a malformed snapshot', () => {
    const index = new ConnectionIndex();
    expect(() => index.applyChange('a', '{"id":"a"}')).toThrow();
    expect(index.size).toBe(0);
  });
});
