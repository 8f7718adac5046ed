import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { IntegrationService } from './integration.service';
import { IntegrationsController } from './integrations.controller';
import { TokenService } from './token.service';
import { TokensController } from './tokens.controller';

@Global()
@Module({
  controllers: [TokensController, IntegrationsController],
  providers: [TokenService, IntegrationService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokenService, IntegrationService],
})
export class AuthModule {}
