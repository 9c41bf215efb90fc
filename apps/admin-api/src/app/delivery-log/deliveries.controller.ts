import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ErrorBodyDto, ValidationErrorBodyDto } from '../api-errors.dto';
import { ApiKeyProtected } from '../auth/api-key-protected.decorator';
import { ProjectId } from '../auth/project-id.decorator';
import {
  DeliveryLogPageDto,
  DeliveryLogQueryDto,
  OutcomeDto,
  ResendAcceptedDto,
  TestSendDto,
} from './deliveries.dto';
import { DeliveriesService } from './deliveries.service';

@ApiTags('deliveries')
@ApiKeyProtected()
@Controller('v1')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get('connections/:id/deliveries')
  @ApiOperation({ summary: "A connection's recent delivery attempts, newest first" })
  @ApiOkResponse({ type: DeliveryLogPageDto })
  @ApiBadRequestResponse({ type: ValidationErrorBodyDto, description: 'Each bad query parameter, named.' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such connection in this project.' })
  async log(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @Query() query: DeliveryLogQueryDto,
  ): Promise<DeliveryLogPageDto> {
    const page = await this.deliveries.attempts(projectId, id, { ...query, limit: query.limit ?? 50 });
    return {
      items: page.items.map(({ projectId: _project, ...attempt }) => attempt),
      nextCursor: page.nextCursor,
    };
  }

  @Post('deliveries/:deliveryId/resend')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again, with the same webhook-id and body' })
  @ApiAcceptedResponse({ type: ResendAcceptedDto })
  @ApiNotFoundResponse({
    type: ErrorBodyDto,
    description: 'No such delivery in this project, or no longer in the log.',
  })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'The deliveries topic is unavailable.' })
  resend(
    @ProjectId() projectId: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<ResendAcceptedDto> {
    return this.deliveries.resend(projectId, deliveryId);
  }

  @Post('connections/:id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a sample event of the given type now and return the attempt' })
  @ApiOkResponse({
    type: OutcomeDto,
    description: "The attempt's outcome record, whatever the endpoint answered.",
  })
  @ApiBadRequestResponse({ type: ValidationErrorBodyDto, description: 'An unknown event, named.' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such connection in this project.' })
  @ApiPayloadTooLargeResponse({ type: ErrorBodyDto, description: 'The body is larger than 1 MiB.' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorBodyDto, description: 'The body is not application/json.' })
  test(
    @ProjectId() projectId: string,
    @Param('id') id: string,
    @Body() body: TestSendDto,
  ): Promise<OutcomeDto> {
    return this.deliveries.testSend(projectId, id, body.event);
  }
}
