import { createServer } from "node:net";
import { randomInt } from "node:crypto";

/**
 * Ports for daemons the sandbox does not bind itself (the engine's monitor and gateway), picked
 * below Linux's ephemeral range (32768–60999) so that no outgoing connection grabs one between the
 * pick and the daemon's bind, and at random so that two sandboxes starting at once rarely pick
 * the same; `scripts/s3-engine/start.sh` checks them again before it starts anything.
 */
const RANGE = { min: 20_000, max: 32_767 } as const;
const ATTEMPTS = 200;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `count` distinct ports free on 127.0.0.1 right now. */
export async function freePorts(count: number): Promise<number[]> {
  const picked: number[] = [];
  for (let i = 0; i < ATTEMPTS && picked.length < count; i++) {
    const port = randomInt(RANGE.min, RANGE.max + 1);
    if (!picked.includes(port) && (await bindable(port))) {
      picked.push(port);
    }
  }
  if (picked.length < count) {
    throw new Error(`found only ${picked.length} of ${count} free ports on 127.0.0.1 in ${RANGE.min}-${RANGE.max}`);
  }
  return picked;
}
