import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { IntegrationTypes } from './integration-types';
import { IntegrationService } from './integration.service';
import { IntegrationsController } from './integrations.controller';
import { TokenService } from './token.service';
import { TokensController } from './tokens.controller';

@Global()
@Module({
  controllers: [TokensController, IntegrationsController],
  providers: [TokenService, IntegrationTypes, IntegrationService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokenService, IntegrationTypes, IntegrationService],
})
export class AuthModule {}
