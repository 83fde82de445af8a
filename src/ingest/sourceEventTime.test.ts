import { describe, expect, test } from "vitest";
import { sourceEventTime } from "./sourceEventTime";

const facts = {
  path: "/in/obs-2020-03-04_0506.csv",
  lastModified: "2021-01-01T00:00:00Z",
  systemTime: "2022-02-02T00:00:00Z",
};

describe("sourceEventTime", () => {
  test("FromMetadata (the default) uses the source's modification time, else the system time", () => {
    expect(sourceEventTime(undefined, facts)).toBe("2021-01-01T00:00:00Z");
    expect(sourceEventTime({ kind: "FromMetadata" }, { ...facts, lastModified: undefined })).toBe(
      "2022-02-02T00:00:00Z",
    );
    expect(sourceEventTime({ kind: "FromSystemTime" }, facts)).toBe("2022-02-02T00:00:00Z");
  });

  test("FromPath parses the first regex group with a Java timestamp format", () => {
    expect(
      sourceEventTime(
        { kind: "FromPath", pattern: "obs-(\\d{4}-\\d{2}-\\d{2}_\\d{4})", timestampFormat: "yyyy-MM-dd_HHmm" },
        facts,
      ),
    ).toBe("2020-03-04T05:06:00Z");
    expect(sourceEventTime({ kind: "FromPath", pattern: "obs-(\\d{4}-\\d{2}-\\d{2})" }, facts)).toBe(
      "2020-03-04T00:00:00Z",
    );
    expect(() =>
      sourceEventTime({ kind: "FromPath", pattern: "day=(\\d+)" }, facts),
    ).toThrowErrorMatchingInlineSnapshot(
      `[IngestError: Event time pattern day=(\\d+) does not match obs-2020-03-04_0506.csv]`,
    );
  });
});
