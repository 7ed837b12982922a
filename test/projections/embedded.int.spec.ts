// The store contract against the embedded (in-memory) adapter: always runs.
import { createEmbeddedStore } from "../../src/projections/index.ts";
import { storeContract } from "./store.contract.ts";

storeContract("embedded", async () => createEmbeddedStore());
