// Starts the validation thread from the TypeScript sources: a worker thread does not inherit the
// main thread's tsx loader, so it registers its own before importing thread.ts.
import { register } from "tsx/esm/api";

register();
await import("./thread.ts");
