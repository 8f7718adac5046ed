/** The runner's entry point (`node dist/runner.js`, `npm run runner`): see src/runner/. */
import { main } from './runner/main';

void main();
