import { Module } from '@nestjs/common';
import { OUTBOX_OPTIONS, OutboxDispatcher, outboxOptions } from './channels/outbox.dispatcher.js';
import { OutboxRepository } from './channels/outbox.repository.js';
import { RUNTIME } from './runtime.js';
import { WorkerService } from './temporal/worker.service.js';

@Module({
  providers: [
    WorkerService,
    // Releases are delivered by the worker processes only (any number of them share the outbox).
    OutboxRepository,
    { provide: OUTBOX_OPTIONS, inject: [RUNTIME], useFactory: outboxOptions },
    OutboxDispatcher,
  ],
})
export class WorkerModule {}
