import { type CanActivate, type ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { AuthService } from './auth.service.js';

const PUBLIC = 'fabu:public';
/** Marks a route that needs no bearer token (health, dev login). */
export const Public = () => SetMetadata(PUBLIC, true);

type AuthedRequest = Request & { user?: DirectoryUser };

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    req.user = await this.auth.authenticate(req.headers.authorization);
    return true;
  }
}

/** The authenticated directory user of this request. */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): DirectoryUser => ctx.switchToHttp().getRequest<AuthedRequest>().user!,
);
