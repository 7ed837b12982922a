// The store contract against ArangoDB: runs when ARANGO_URL points at a server (each test gets its
// own database, dropped afterwards), and is reported as skipped, with the reason, otherwise.
import { randomUUID } from "node:crypto";
import { Database } from "arangojs";
import { createArangoStore, type ProjectionStore } from "../../src/projections/index.ts";
import { storeContract } from "./store.contract.ts";

const url = process.env.ARANGO_URL;
const auth = { username: process.env.ARANGO_USERNAME ?? "root", password: process.env.ARANGO_PASSWORD ?? "" };

// A store in a database of its own, dropped when the store is closed.
async function freshArangoStore(): Promise<ProjectionStore> {
  const database = `agents_test_${randomUUID().replaceAll("-", "")}`;
  const store = await createArangoStore({ url: url ?? "", database, ...auth });
  const close = async () => {
    await store.close();
    const system = new Database({ url: url ?? "", auth });
    await system.dropDatabase(database);
    system.close();
  };
  return new Proxy(store, {
    get: (target, prop) => {
      if (prop === "close") return close;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

storeContract("arangodb", freshArangoStore, {
  skip: url ? undefined : "ARANGO_URL is not set: no ArangoDB server to test against",
});
