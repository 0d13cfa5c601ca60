// Entry of the background work thread: TypeScript needs tsx's loader in this thread too.
import { register } from 'tsx/esm/api';

register();
await import('./work-thread-runner.ts');
