import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PlatformDeps, PlatformModule } from './platform/platform.module';
import { AuthModule } from './platform/auth/auth.module';
import { IncidentsModule } from './incidents/incidents.module';
import { TimelineModule } from './timeline/timeline.module';
import { AlertsModule } from './alerts/alerts.module';
import { WebModule } from './web/web.module';
import { PostmortemsModule } from './postmortems/postmortems.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ChatopsModule } from './chatops';
import { OnCallModule } from './oncall';
import { PagingModule } from './paging';
import { FollowupsModule } from './followups';
import { AutomationsModule } from './automations';

@Module({})
export class AppModule {
  static register(deps: PlatformDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.register(deps),
        CqrsModule.forRoot(),
        AuthModule,
        IncidentsModule,
        TimelineModule,
        WebModule,
        AlertsModule,
        PostmortemsModule,
        NotificationsModule,
        ChatopsModule,
        OnCallModule,
        PagingModule,
        FollowupsModule,
        AutomationsModule,
      ],
    };
  }
}
