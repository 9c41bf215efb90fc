import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PipelineMetrics } from './pipeline-metrics';
import { Readiness } from './readiness';

/** /healthz (the process and its event loop turn), /readyz (dependencies answer), /metrics. */
@ApiExcludeController()
@Controller()
export class OperationsController {
  constructor(
    private readonly metrics: PipelineMetrics,
    private readonly readiness: Readiness,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res() response: Response) {
    const result = await this.readiness.evaluate();
    response
      .status(result.ready ? 200 : 503)
      .json({ status: result.ready ? 'ready' : 'not ready', ...result });
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
