export * from './lib/connection.entity';
export * from './lib/notification-incident.entity';
export * from './lib/data-source';
export * from './lib/profile-store';
export * from './lib/delivery-log-store';
export * from './lib/refused-as-data';
