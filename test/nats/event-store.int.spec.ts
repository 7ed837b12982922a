// JetStream's event store on a real nats-server (a fresh one per test) holds to the contract.
import { connectNats, JetStreamEventStore, provisionTopology } from "../../src/nats/index.ts";
import { eventStoreContract } from "../core/ports/event-store.contract.ts";
import { startNatsServer } from "../support/index.ts";

eventStoreContract("JetStream", async () => {
  const server = await startNatsServer();
  const nc = await connectNats(server.url, "event-store-contract");
  await provisionTopology(nc);
  return {
    store: new JetStreamEventStore(nc),
    close: async () => {
      await nc.close();
      await server.stop();
    },
  };
});
