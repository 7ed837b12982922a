#!/usr/bin/env node
// The installed `agents` command: runs the CLI through tsx (TypeScript sources ship with the package).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
