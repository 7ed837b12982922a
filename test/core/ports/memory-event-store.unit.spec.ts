// The in-memory event store holds to the same contract as JetStream's.
import { MemoryEventStore } from "../../../src/core/ports/memory-event-store.ts";
import { eventStoreContract } from "./event-store.contract.ts";

eventStoreContract("in-memory", async () => ({ store: new MemoryEventStore(), close: async () => {} }));
