import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents';
import { PostmortemLoader } from './postmortem.loader';
import { GetPostmortemHandler, ListPostmortemsHandler } from './postmortem-queries';
import { PostmortemsController } from './postmortems.controller';
import { SavePostmortemSectionsHandler } from './save-sections';

/**
 * Postmortems are a read model: a draft is computed from the incident's record on every read
 * (build-draft.ts, pure) and rendered as JSON, Markdown, HTML or PDF (renderers/); only the
 * sections people write are stored (postmortem_sections).
 */
@Module({
  imports: [IncidentsModule],
  controllers: [PostmortemsController],
  providers: [PostmortemLoader, GetPostmortemHandler, ListPostmortemsHandler, SavePostmortemSectionsHandler],
})
export class PostmortemsModule {}
