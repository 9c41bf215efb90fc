import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyProtected } from '../auth/api-key-protected.decorator';
import { catalog } from './catalog';
import { CatalogDto } from './catalog.dto';

@ApiTags('catalog')
@ApiKeyProtected()
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
