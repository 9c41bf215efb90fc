import type { ConnectionSnapshot } from './connection';

/**
 * A valid connection snapshot for tests and benchmarks: active, no authentication, `message_send`
 * on email, version 1. Override what the case is about.
 */
export function connectionSnapshot(overrides: Partial<ConnectionSnapshot> = {}): ConnectionSnapshot {
  return {
    id: 'c-1',
    project_id: 'acme',
    name: 'CRM sync',
    url: 'https://hooks.example.com/xp',
    auth_type: 'none',
    credentials: null,
    message_events: ['message_send'],
    channels: ['email'],
    subscription_events: [],
    exclude_integration_sources: false,
    require_external_message_id: false,
    use_static_ip: false,
    notify_on_error_email: null,
    active: true,
    templates: {},
    version: 1,
    updated_at: '2026-11-27T00:00:00.000Z',
    ...overrides,
  };
}
