import { bearerAuthorization } from './bearer-auth';

describe('bearerAuthorization', () => {
  it('is "Bearer " and the token as given', () => {
    expect(bearerAuthorization('mF_9.B5f-4.1JqM')).toBe('Bearer mF_9.B5f-4.1JqM');
  });
});
