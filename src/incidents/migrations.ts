// The incidents module's migrations, for the composition root's list (src/migrations.ts).
export { Incidents1764170000000 } from './persistence/migrations/1764170000000-incidents';
export { IncidentChatAndUpdates1764240000000 } from './persistence/migrations/1764240000000-incident-chat-and-updates';
export { IncidentAwaitingVerification1764240000001 } from './persistence/migrations/1764240000001-incident-awaiting-verification';
export { ResponderContactMethods1764250000000 } from './persistence/migrations/1764250000000-responder-contact-methods';
export { IncidentNumberLimit1764290000000 } from './persistence/migrations/1764290000000-incident-number-limit';
