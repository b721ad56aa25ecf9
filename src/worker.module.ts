import { Module } from '@nestjs/common';
import { WorkerService } from './temporal/worker.service.js';

@Module({ providers: [WorkerService] })
export class WorkerModule {}
