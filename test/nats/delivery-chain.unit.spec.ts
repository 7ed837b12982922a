// The delivery sequences of one pull session: each delivery follows the last; a jump or a step back
// means a delivery this client never saw.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DeliveryChain } from "../../src/nats/delivery-chain.ts";

describe("a consumer's delivery chain", () => {
  it("takes deliveries that follow the consumer's delivered count one by one", () => {
    const chain = new DeliveryChain(7);
    assert.deepEqual(
      [8, 9, 10].map((d) => chain.next(d)),
      [true, true, true],
    );
  });

  it("refuses a jump, names the deliveries that never arrived, and does not take it in", () => {
    const chain = new DeliveryChain(0);
    assert.equal(chain.next(1), true);
    assert.equal(chain.next(4), false);
    assert.equal(chain.gapMessage(4), "deliveries 2–3 never arrived (delivery 4 did)");
    assert.equal(chain.next(2), true, "the chain still waits for 2");
  });

  it("refuses a delivery at or below one already seen (a new consumer leader counting again)", () => {
    const chain = new DeliveryChain(5);
    assert.equal(chain.next(6), true);
    assert.equal(chain.next(6), false);
    assert.equal(chain.gapMessage(3), "delivery 3 arrived after 6");
  });
});
