import { ApiProperty } from '@nestjs/swagger';

/** The PUT body, as documented; it is read by `templateFromBody`. */
export class PutTemplateDto {
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }, { type: 'array', items: {} }],
    description:
      'The template: its JSON text as a string (syntax errors then give line and column), or the JSON value itself. A JSON object or array whose string values may hold {{placeholders}} (GET /v1/catalog lists them per event).',
    example: {
      type: '{{event}}',
      at: '{{time}}',
      who: { email: '{{email}}', name: '{{profile.first_name}}' },
    },
  })
  template!: unknown;
}

export class TemplateViewDto {
  @ApiProperty({ example: 'message_send' }) event!: string;

  @ApiProperty({
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
    ],
    description:
      'The template in force, as a JSON value. Never edited: the default body with every value a placeholder.',
    example: {
      event: '{{event}}',
      time: '{{time}}',
      properties: { message_type: '{{message_type}}', campaign_id: '{{campaign_id}}', email: '{{email}}' },
    },
  })
  template!: unknown;

  @ApiProperty({ description: 'true when no custom template is saved: the default body is sent.' })
  isDefault!: boolean;
}
