import { MESSAGE_EVENTS, OUTCOME_STATUSES, SUBSCRIPTION_EVENTS } from '@campaign-webhooks/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const EVENTS = [...MESSAGE_EVENTS, ...SUBSCRIPTION_EVENTS];

export class DeliveryLogQueryDto {
  @ApiPropertyOptional({ enum: OUTCOME_STATUSES })
  @IsOptional()
  @IsIn(OUTCOME_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: EVENTS })
  @IsOptional()
  @IsIn(EVENTS)
  event?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class DeliveryAttemptDto {
  @ApiProperty() deliveryId!: string;
  @ApiProperty() connectionId!: string;
  @ApiProperty() event!: string;
  @ApiProperty() attempt!: number;
  @ApiProperty({ enum: OUTCOME_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: Number }) httpStatus!: number | null;
  @ApiProperty({ nullable: true, type: Number }) durationMs!: number | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty() time!: string;
}

export class DeliveryLogPageDto {
  @ApiProperty({ type: DeliveryAttemptDto, isArray: true }) items!: DeliveryAttemptDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last.',
  })
  nextCursor!: string | null;
}

export class ResendAcceptedDto {
  @ApiProperty() deliveryId!: string;
  @ApiProperty() connectionId!: string;
}

export class TestSendDto {
  @ApiProperty({ enum: EVENTS, description: 'The event type of the sample to send.' })
  @IsIn(EVENTS)
  event!: string;
}

export class OutcomeDto {
  @ApiProperty() delivery_id!: string;
  @ApiProperty() connection_id!: string;
  @ApiProperty() project_id!: string;
  @ApiProperty() event!: string;
  @ApiProperty() attempt!: number;
  @ApiProperty({ enum: OUTCOME_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: Number }) http_status!: number | null;
  @ApiProperty({ nullable: true, type: Number }) duration_ms!: number | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String }) next_attempt_at!: string | null;
  @ApiProperty() time!: string;
}
