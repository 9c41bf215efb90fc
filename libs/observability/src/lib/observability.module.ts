import { type DynamicModule, Global, Module } from '@nestjs/common';
import { OperationsController } from './operations.controller';
import { PipelineMetrics } from './pipeline-metrics';
import { Readiness } from './readiness';

@Global()
@Module({})
export class ObservabilityModule {
  static forService(service: string): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [OperationsController],
      providers: [{ provide: PipelineMetrics, useValue: new PipelineMetrics(service) }, Readiness],
      exports: [PipelineMetrics, Readiness],
    };
  }
}
