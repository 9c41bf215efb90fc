import {
  isMessageEvent,
  isSubscriptionEvent,
  MESSAGE_EVENTS,
  SUBSCRIPTION_EVENTS,
  type MessageEventName,
  type SubscriptionEventName,
} from '@campaign-webhooks/contracts';
import type { ConnectionEntity } from '@campaign-webhooks/persistence';
import { defaultTemplate } from '@campaign-webhooks/templating';
import { NotFoundException } from '@nestjs/common';
import type { ConnectionStore } from '../connections/connection-store';
import { validationFailed } from '../field-errors';
import { templateDocument } from './template-document';
import type { TemplateViewDto } from './template.dto';

type CatalogEvent = MessageEventName | SubscriptionEventName;

/** Custom request bodies per (connection, event), stored with the connection and published with it. */
export class TemplatesService {
  constructor(private readonly store: ConnectionStore) {}

  async get(projectId: string, id: string, event: string): Promise<TemplateViewDto> {
    const known = catalogEvent(event);
    return templateView(await this.store.get(projectId, id), known);
  }

  async save(
    projectId: string,
    id: string,
    event: string,
    source: unknown,
    expectedVersion: number | undefined,
  ): Promise<TemplateViewDto> {
    const known = catalogEvent(event);
    const document = templateDocument(known, source);
    if (!document.ok) throw validationFailed(document.errors);
    const saved = await this.store.update(projectId, id, expectedVersion, (connection) => {
      // Compared as text: the same template with its keys reordered is a change.
      if (JSON.stringify(connection.templates[known]) === JSON.stringify(document.value)) return false;
      connection.templates = { ...connection.templates, [known]: document.value };
      return true;
    });
    return templateView(saved, known);
  }

  async reset(
    projectId: string,
    id: string,
    event: string,
    expectedVersion: number | undefined,
  ): Promise<void> {
    const known = catalogEvent(event);
    await this.store.update(projectId, id, expectedVersion, (connection) => {
      if (!Object.hasOwn(connection.templates, known)) return false;
      connection.templates = Object.fromEntries(
        Object.entries(connection.templates).filter(([name]) => name !== known),
      );
      return true;
    });
  }
}

/** An event outside the catalog has no template resource: 404, naming it. */
function catalogEvent(event: string): CatalogEvent {
  if (isMessageEvent(event) || isSubscriptionEvent(event)) return event;
  throw new NotFoundException({
    statusCode: 404,
    error: 'Not Found',
    message: `unknown event ${JSON.stringify(event)}; templates exist for ${[...MESSAGE_EVENTS, ...SUBSCRIPTION_EVENTS].join(', ')}`,
  });
}

function templateView(connection: ConnectionEntity, event: CatalogEvent): TemplateViewDto {
  return Object.hasOwn(connection.templates, event)
    ? { event, template: connection.templates[event], isDefault: false }
    : { event, template: defaultTemplate(event), isDefault: true };
}
