import { describe, expect, test } from "vitest";
import { openDuckDb } from "./openDuckDb";

describe("openDuckDb", () => {
  test("opens an in-memory database with the requested threads", async () => {
    const db = await openDuckDb({ threads: 1 });
    try {
      const reader = await db.connection.runAndReadAll("SELECT current_setting('threads') AS t, 40 + 2 AS x");
      expect(reader.getRowObjectsJS()).toEqual([{ t: 1n, x: 42 }]);
    } finally {
      db.close();
      db.close();
    }
  });
});
