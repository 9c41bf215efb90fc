import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorBodyDto } from '../api-errors.dto';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { catalog } from './catalog';
import { CatalogDto } from './catalog.dto';

@ApiTags('catalog')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'Missing or invalid API key.' })
@UseGuards(ApiKeyGuard)
@Controller('v1/catalog')
export class CatalogController {
  private readonly answer = catalog();

  @Get()
  @ApiOperation({
    summary: 'Events, channels, sources and template placeholders',
    description:
      'Message events, channels, subscription events, sources, auth types, and the placeholders each event offers.',
  })
  @ApiOkResponse({ type: CatalogDto })
  get(): CatalogDto {
    return this.answer;
  }
}
