import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PlatformDeps, PlatformModule } from './platform/platform.module';
import { AuthModule } from './platform/auth/auth.module';
import { IncidentsModule } from './incidents/incidents.module';

@Module({})
export class AppModule {
  static register(deps: PlatformDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.register(deps), CqrsModule.forRoot(), AuthModule, IncidentsModule],
    };
  }
}
