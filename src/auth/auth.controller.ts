import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { apiSchema } from '../common/openapi.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { CurrentUser, Public } from './auth.guard.js';
import {
  DevLoginResponseSchema,
  DevLoginSchema,
  DevUsersSchema,
  LoginConfigSchema,
  UserSchema,
} from './auth.schemas.js';
import { AuthService } from './auth.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Get('config')
  @ApiOperation({ summary: 'How the web console signs people in: demo users (dev) or the OIDC provider' })
  @ApiResponse({ status: 200, schema: apiSchema(LoginConfigSchema) })
  config() {
    return this.auth.loginConfig();
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the bearer token names, with their positions' })
  @ApiResponse({ status: 200, schema: apiSchema(UserSchema) })
  me(@CurrentUser() user: DirectoryUser) {
    return user;
  }
}

/** Registered only in the embedded default (AUTH_MODE=dev); absent in production. */
@ApiTags('auth')
@Controller('auth')
export class DevLoginController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('dev-login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in as a demo user (AUTH_MODE=dev only)' })
  @ApiResponse({ status: 200, schema: apiSchema(DevLoginResponseSchema) })
  devLogin(@Body({ schema: DevLoginSchema }) body: z.infer<typeof DevLoginSchema>) {
    return this.auth.devLogin(body.username);
  }

  @Public()
  @Get('dev-users')
  @ApiOperation({ summary: 'The demo users a console login may pick (AUTH_MODE=dev only)' })
  @ApiResponse({ status: 200, schema: apiSchema(DevUsersSchema) })
  devUsers() {
    return this.auth.devUsers();
  }
}
