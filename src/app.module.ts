import { type DynamicModule, Module } from '@nestjs/common';
import { ApiModule } from './api.module.js';
import { CoreModule } from './core.module.js';
import type { RuntimeSettings } from './runtime.js';
import { WorkerModule } from './worker.module.js';

/** One fabu process: the API, the worker, or both (the embedded default). */
@Module({})
export class AppModule {
  static register(runtime: RuntimeSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(runtime),
        ...(runtime.roles.api ? [ApiModule.register(runtime)] : []),
        ...(runtime.roles.worker ? [WorkerModule] : []),
      ],
    };
  }
}
