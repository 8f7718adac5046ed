/**
 * The follow-through module's public surface: the module, for the composition root. Nothing
 * else reaches in; its lists are served over HTTP (`/api/v1/action-items`).
 */
export { FollowupsModule } from './followups.module';
export type { FollowupItemView } from './persistence/action-item.store';
