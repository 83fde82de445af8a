import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDuckDb } from "../../src/engines/duckdb/openDuckDb";
import { EmptyInputError, ReadInputError } from "../../src/ingest/errors";
import { ingestPush } from "../../src/ingest/ingestPush";
import { pullDataset } from "../../src/ingest/pullers";
import { tailDataset } from "../../src/ingest/tailDataset";
import { type Dataset, initWorkspace, type Workspace } from "../../src/odf/workspace/workspace";
import { addFromYaml, snapshotOf, verifyProblems } from "./helpers";

let dir: string;
let ws: Workspace;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), "odf-read-"));
  ws = await initWorkspace(path.join(dir, "ws"), { fsync: false });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

/** A root dataset with one push source per `name: read` entry (the first is the default). */
function add(name: string, reads: Record<string, string>): Promise<Dataset> {
  const sources = Object.entries(reads)
    .map(
      ([source, read]) =>
        `    - kind: AddPushSource\n      sourceName: ${source}\n      read: ${read}\n      merge: { kind: Append }\n`,
    )
    .join("");
  return addFromYaml(
    ws,
    `kind: DatasetSnapshot\nversion: 1\ncontent:\n  name: ${name}\n  kind: Root\n  metadata:\n${sources}`,
  );
}

const push = (alias: string, file: string, source?: string) =>
  ingestPush(ws, alias, file, source ? { sourceName: source } : {});

/** Records' columns from `from` on (default: after event_time) and their names, oldest first. */
async function data(alias: string, from = 4): Promise<{ columns: string[]; rows: (string | null)[][] }> {
  const tail = await tailDataset(await ws.open(alias), 1000);
  return { columns: tail.columns.slice(from), rows: tail.rows.map((r) => r.slice(from)) };
}

async function schemaOf(alias: string) {
  return (await (await ws.open(alias)).chain.state()).schema?.schema?.fields.slice(4);
}

/** Runs a failing ingest, checks it committed nothing, and returns its error. */
async function refused(alias: string, run: () => Promise<unknown>): Promise<Error> {
  const dataset = await ws.open(alias);
  const before = await snapshotOf(dataset);
  const error = await run().then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(ReadInputError);
  expect(await snapshotOf(dataset)).toEqual(before);
  return error as Error;
}

const TS_UTC = "{ kind: Timestamp, unit: Millisecond, timezone: UTC }";

describe("read step: typed values", () => {
  test("Csv Timestamp with timezone: ISO offsets honoured, a bad value refused naming file, line, column and value", async () => {
    await add("tz", {
      csv: `{ kind: Csv, header: true, schema: { fields: [ { name: event_time, type: ${TS_UTC} }, { name: id, type: { kind: Int64 } } ] } }`,
    });
    await push("tz", await write("tz1.csv", "event_time,id\n2024-01-01T00:00:00+02:00,1\n2024-01-01 05:00:00Z,2\n"));
    expect((await data("tz", 3)).rows).toEqual([
      ["2023-12-31T22:00:00.000Z", "1"],
      ["2024-01-01T05:00:00.000Z", "2"],
    ]);
    const garbage = await write("garbage.csv", "event_time,id\n2024-01-02T00:00:00Z,3\ngarbage,4\n");
    expect((await refused("tz", () => push("tz", garbage))).message).toMatchInlineSnapshot(
      `"garbage.csv line 3: column event_time: cannot read "garbage" as TIMESTAMPTZ"`,
    );
    const month = await write(
      "month.csv",
      "event_time,id\n2024-01-02T00:00:00Z,3\n2024-01-02T00:00:00Z,4\n2024-13-45T00:00:00Z,5\n",
    );
    const e = await refused("tz", () => push("tz", month));
    expect(e.message).toMatchInlineSnapshot(
      `"month.csv line 4: column event_time: cannot read "2024-13-45T00:00:00Z" as TIMESTAMPTZ"`,
    );
    expect((e as ReadInputError).line).toBe(4);
  });

  test("Timestamp with timezone and a timestampFormat (Csv and NdJson): values parse with it, others are refused", async () => {
    const schema = `schema: { fields: [ { name: event_time, type: ${TS_UTC} }, { name: t, type: ${TS_UTC} } ] }`;
    await add("tzfmt", {
      csv: `{ kind: Csv, header: true, timestampFormat: "dd/MM/yyyy HH:mm", ${schema} }`,
      nd: `{ kind: NdJson, timestampFormat: "dd/MM/yyyy HH:mm Z", ${schema} }`,
    });
    await push("tzfmt", await write("fmt.csv", "event_time,t\n01/02/2024 13:45,31/12/2023 00:00\n"), "csv");
    await push("tzfmt", await write("fmt.ndjson", '{"event_time":"01/02/2024 13:45 +0200","t":null}\n'), "nd");
    expect((await data("tzfmt", 3)).rows).toEqual([
      ["2024-02-01T13:45:00.000Z", "2023-12-31T00:00:00.000Z"],
      ["2024-02-01T11:45:00.000Z", null],
    ]);
    const iso = await write("iso.csv", "event_time,t\n01/02/2024 13:45,2024-02-01T13:45:00Z\n");
    expect((await refused("tzfmt", () => push("tzfmt", iso, "csv"))).message).toMatchInlineSnapshot(
      `"iso.csv line 2: column t: cannot read "2024-02-01T13:45:00Z" as TIMESTAMPTZ (format %d/%m/%Y %H:%M)"`,
    );
  });

  test("a number that the declared type does not hold exactly is refused (Csv and NdJson)", async () => {
    const schema = `schema: { fields: [ { name: i, type: { kind: Int32 } }, { name: d, type: { kind: Decimal, precision: 10, scale: 2 } }, { name: f, type: { kind: Float64 } } ] }`;
    await add("nums", { csv: `{ kind: Csv, header: true, ${schema} }`, nd: `{ kind: NdJson, ${schema} }` });
    await push("nums", await write("ok.csv", "i,d,f\n7,1.20,1.5e3\n-2,3,inf\n"), "csv");
    expect((await data("nums")).rows).toEqual([
      ["7", "1.20", "1500"],
      ["-2", "3.00", "Infinity"],
    ]);
    const cases: [string, string, string][] = [
      ["int.csv", "i,d,f\n1,1,1\n1.7,1,1\n", "csv"],
      ["dec.csv", "i,d,f\n1,1.234,1\n", "csv"],
      ["big.csv", "i,d,f\n1,1,1e400\n", "csv"],
      ["int.ndjson", '{"i":1.7,"d":1,"f":1}\n', "nd"],
      ["dec.ndjson", '{"i":1,"d":1.234,"f":1}\n', "nd"],
      ["big.ndjson", '{"i":1,"d":1,"f":1e400}\n', "nd"],
    ];
    const messages: string[] = [];
    for (const [name, body, source] of cases) {
      const file = await write(name, body);
      messages.push((await refused("nums", () => push("nums", file, source))).message);
    }
    expect(messages).toMatchInlineSnapshot(`
      [
        "int.csv line 3: column i: cannot read "1.7" as INTEGER",
        "dec.csv line 2: column d: cannot read "1.234" as DECIMAL(10, 2)",
        "big.csv line 2: column f: cannot read "1e400" as DOUBLE",
        "int.ndjson line 1: column i: cannot read "1.7" as INTEGER",
        "dec.ndjson line 1: column d: cannot read "1.234" as DECIMAL(10, 2)",
        "big.ndjson line 1: column f: cannot read "1e400" as DOUBLE",
      ]
    `);
  });

  test("Parquet with a declared schema: a value the declared type does not hold exactly is refused, lossless casts pass", async () => {
    const schema = `schema: { fields: [ { name: i, type: { kind: Int32 } }, { name: d, type: { kind: Decimal, precision: 10, scale: 2 } }, { name: f, type: { kind: Float32 } }, { name: n, type: { kind: Int64 } } ] }`;
    await add("pq", { pq: `{ kind: Parquet, ${schema} }` });
    /** A Parquet file with one row of `columns` (SQL expressions with their types). */
    const parquet = async (name: string, columns: string): Promise<string> => {
      const file = path.join(dir, name);
      const db = await openDuckDb();
      try {
        await db.connection.run(`COPY (SELECT ${columns}) TO '${file}' (FORMAT parquet)`);
      } finally {
        db.close();
      }
      return file;
    };
    const row = { i: "7::DOUBLE AS i", d: "1.200::DECIMAL(10, 3) AS d", f: "1.5::DOUBLE AS f", n: "5::INTEGER AS n" };
    const file = (name: string, change: Partial<typeof row>) =>
      parquet(name, Object.values({ ...row, ...change }).join(", "));
    await push("pq", await file("ok.parquet", {}));
    await push("pq", await file("text.parquet", { i: "'-3' AS i", d: "'2.5' AS d", n: "2::TINYINT AS n" }));
    expect((await data("pq")).rows).toEqual([
      ["7", "1.20", "1.5", "5"],
      ["-3", "2.50", "1.5", "2"],
    ]);
    const cases: [string, Partial<typeof row>][] = [
      ["frac.parquet", { i: "1.7::DOUBLE AS i" }],
      ["dec.parquet", { d: "1.234::DECIMAL(10, 3) AS d" }],
      ["big.parquet", { i: "3000000000::BIGINT AS i" }],
      ["over.parquet", { f: "1e300::DOUBLE AS f" }],
      ["text17.parquet", { i: "'1.7' AS i" }],
      ["huge.parquet", { n: "10000000000000000000::UBIGINT AS n" }],
    ];
    const messages: string[] = [];
    for (const [name, change] of cases) {
      const bad = await file(name, change);
      messages.push((await refused("pq", () => push("pq", bad))).message);
    }
    expect(messages).toMatchInlineSnapshot(`
      [
        "frac.parquet: column i: cannot read "1.7" as INTEGER",
        "dec.parquet: column d: cannot read "1.234" as DECIMAL(10, 2)",
        "big.parquet: column i: cannot read "3000000000" as INTEGER",
        "over.parquet: column f: cannot read "1e+300" as FLOAT",
        "text17.parquet: column i: cannot read "1.7" as INTEGER",
        "huge.parquet: column n: cannot read "10000000000000000000" as BIGINT",
      ]
    `);
  });

  test("a column that is null throughout an NdJson input takes the dataset's type", async () => {
    await add("nulls", {
      csv: `{ kind: Csv, header: true, schema: { fields: [ { name: event_time, type: ${TS_UTC} }, { name: station, type: { kind: String } }, { name: temp_c, type: { kind: Float64 } } ] } }`,
      manual: "{ kind: NdJson }",
    });
    await push("nulls", await write("w.csv", "event_time,station,temp_c\n2024-06-01T12:00:00Z,ZRH,21.5\n"), "csv");
    await push(
      "nulls",
      await write("n.ndjson", '{"event_time":"2024-06-06T12:00:00Z","station":"X","temp_c":null}\n'),
      "manual",
    );
    expect((await data("nulls", 3)).rows).toEqual([
      ["2024-06-01T12:00:00.000Z", "ZRH", "21.5"],
      ["2024-06-06T12:00:00.000Z", "X", null],
    ]);
    expect((await schemaOf("nulls"))?.map((f) => f.type.kind)).toEqual(["String", "Float64"]);
  });
});

describe("read step: file shapes", () => {
  test("Csv headers in Latin-1 and UTF-16 are read in the declared encoding", async () => {
    await add("enc", { l1: "{ kind: Csv, header: true, encoding: latin1 }" });
    await push("enc", await write("l1.csv", Buffer.from("Température,ville\n21,Zürich\n", "latin1")));
    expect(await data("enc")).toEqual({ columns: ["Température", "ville"], rows: [["21", "Zürich"]] });
    await add("enc16", { u16: "{ kind: Csv, header: true, encoding: utf16 }" });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Température,ville\n21,Zürich\n", "utf16le")]);
    await push("enc16", await write("u16.csv", utf16));
    expect(await data("enc16")).toEqual({ columns: ["Température", "ville"], rows: [["21", "Zürich"]] });
  });

  test("a header wider than 64 KiB is read whole; a line over the limit is refused with the limit", async () => {
    await add("wide", { csv: "{ kind: Csv, header: true }" });
    const names = Array.from({ length: 300 }, (_, i) => `${"c".repeat(230)}${i}`);
    const header = names.join(",");
    expect(header.length).toBeGreaterThan(64 * 1024);
    await push("wide", await write("wide.csv", `${header}\n${names.map((_, i) => i).join(",")}\n`));
    const wide = await data("wide");
    expect([wide.columns.length, wide.columns.at(-1), wide.rows[0]?.at(-1)]).toEqual([300, names.at(-1), "299"]);
    await add("long", { csv: "{ kind: Csv, header: true }" });
    await push("long", await write("long.csv", `a,b\n1,${"x".repeat(2 * 1024 * 1024)}\n`));
    expect((await data("long")).rows[0]?.[1]?.length).toBe(2 * 1024 * 1024);
    const tooLong = await write("toolong.csv", `a,b\n1,${"x".repeat(17 * 1024 * 1024)}\n`);
    expect((await refused("long", () => push("long", tooLong))).message).toMatchInlineSnapshot(
      `"toolong.csv line 2: longer than the maximum line size (16777216 bytes)"`,
    );
  });

  test("Csv header problems name the file: a repeated name (any case), an empty name", async () => {
    await add("hdr", { csv: "{ kind: Csv, header: true }" });
    const messages: string[] = [];
    for (const [name, body] of [
      ["dup.csv", "a,a\n1,2\n"],
      ["case.csv", "A,a\n1,2\n"],
      ["empty.csv", ",b\n1,2\n"],
    ] as const) {
      const file = await write(name, body);
      messages.push((await refused("hdr", () => push("hdr", file))).message);
    }
    expect(messages).toMatchInlineSnapshot(`
      [
        "dup.csv: the header has two columns named "a"",
        "case.csv: the header has two columns named "a"",
        "empty.csv: header column 1 has no name",
      ]
    `);
  });

  test("NdJson lines must be objects; errors give the line of the bad record; a byte order mark is skipped", async () => {
    await add("nd", { nd: "{ kind: NdJson }", typed: '{ kind: NdJson, ddlSchema: ["id BIGINT"] }' });
    const messages: string[] = [];
    for (const [name, body, source] of [
      ["array.ndjson", '[{"id":1},{"id":2}]\n', "nd"],
      ["bare.ndjson", '{"id":1}\n{"id":2}\n"hello"\n42\n', "nd"],
      ["typed.ndjson", '{"id":1}\n42\n', "typed"],
      ["bad4.ndjson", '{"id":1}\n{"id":2}\n{"id":3}\n{"id":x}\n{"id":5}\n', "nd"],
      ["empty.ndjson", "{}\n{}\n", "nd"],
    ] as const) {
      const file = await write(name, body);
      messages.push((await refused("nd", () => push("nd", file, source))).message);
    }
    expect(messages).toMatchInlineSnapshot(`
      [
        "array.ndjson is not valid NdJson (line 1: each line must be a JSON object)",
        "bare.ndjson is not valid NdJson (line 3: each line must be a JSON object)",
        "typed.ndjson is not valid NdJson (line 2: each line must be a JSON object)",
        "bad4.ndjson is not valid NdJson (line 4: unexpected character)",
        "empty.ndjson is not valid NdJson (no line is an object with fields)",
      ]
    `);
    await push("nd", await write("bom.ndjson", '\uFEFF{"id":1}\n{"id":2}\n'), "nd");
    expect((await data("nd")).rows).toEqual([["1"], ["2"]]);
  });

  test("Json arrays (and those at a subPath) must hold objects; an empty array is no records", async () => {
    await add("js", {
      json: "{ kind: Json }",
      sub: "{ kind: Json, subPath: data.items }",
      typed: '{ kind: Json, ddlSchema: ["id BIGINT"] }',
      subtyped: '{ kind: Json, subPath: data.items, ddlSchema: ["id BIGINT"] }',
    });
    const messages: string[] = [];
    for (const [name, body, source] of [
      ["nums.json", "[1, 2]", "json"],
      ["mixed.json", '[{"id": 1}, 2]', "json"],
      ["typed.json", '[{"id": 1}, [2]]', "typed"],
      ["blank.json", "[{}, {}]", "json"],
      ["subnums.json", '{"data": {"items": [1, 2]}}', "sub"],
      ["submixed.json", '{"data": {"items": [{"id": 1}, "x"]}}', "sub"],
      ["subtyped.json", '{"data": {"items": [1, 2]}}', "subtyped"],
      ["subblank.json", '{"data": {"items": [{}]}}', "sub"],
    ] as const) {
      const file = await write(name, body);
      messages.push((await refused("js", () => push("js", file, source))).message);
    }
    expect(messages).toMatchInlineSnapshot(`
      [
        "nums.json is not valid Json (each element of the array must be a JSON object)",
        "mixed.json is not valid Json (each element of the array must be a JSON object)",
        "typed.json is not valid Json (each element of the array must be a JSON object)",
        "blank.json is not valid Json (no element of the array is an object with fields)",
        "subnums.json is not valid Json (each element of the array at data.items must be a JSON object)",
        "submixed.json is not valid Json (each element of the array at data.items must be a JSON object)",
        "subtyped.json is not valid Json (each element of the array at data.items must be a JSON object)",
        "subblank.json is not valid Json (no element of the array at data.items is an object with fields)",
      ]
    `);
    for (const [name, body, source] of [
      ["empty.json", "[]", "json"],
      ["subempty.json", '{"data": {"items": []}}', "sub"],
      ["typedempty.json", "[]", "typed"],
    ] as const) {
      const file = await write(name, body);
      await expect(push("js", file, source)).rejects.toBeInstanceOf(EmptyInputError);
    }
    await push("js", await write("ok.json", '[{"id": 1}, {"id": 2}]'), "json");
    await push("js", await write("subok.json", '{"data": {"items": [{"id": 3}]}}'), "sub");
    expect(await data("js")).toEqual({ columns: ["id"], rows: [["1"], ["2"], ["3"]] });
  });

  test("Csv columns are written in the dataset's order, new columns after them", async () => {
    await add("order", { csv: "{ kind: Csv, header: true }" });
    await push("order", await write("abc.csv", "a,b,c\n1,2,3\n"));
    await push("order", await write("acb.csv", "a,c,b\n1,3,2\n"));
    await push("order", await write("dacb.csv", "d,a,c,b\n4,1,3,2\n"));
    const dataset = await ws.open("order");
    const state = await dataset.chain.state();
    const db = await openDuckDb();
    try {
      const columns: string[][] = [];
      for (const { slice } of state.slices) {
        const file = dataset.store.objectPath("data", slice.physicalHash);
        const described = await db.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
        columns.push(
          described
            .getRows()
            .map((r) => String(r[0]))
            .slice(4),
        );
      }
      expect(columns).toEqual([
        ["a", "b", "c"],
        ["a", "b", "c"],
        ["a", "b", "c", "d"],
      ]);
    } finally {
      db.close();
    }
    expect((await schemaOf("order"))?.map((f) => f.name)).toEqual(["a", "b", "c", "d"]);
    expect((await data("order")).rows).toEqual([
      ["1", "2", "3", null],
      ["1", "2", "3", null],
      ["1", "2", "3", "4"],
    ]);
  });

  test("one glob pull over files with different columns adds the new ones (NULL in earlier rows)", async () => {
    await write("evolve/f1.csv", "a,b\n1,2\n");
    await write("evolve/f2.csv", "a,b,c\n3,4,5\n");
    await addFromYaml(
      ws,
      `kind: DatasetSnapshot\nversion: 1\ncontent:\n  name: globbed\n  kind: Root\n  metadata:\n    - kind: SetPollingSource\n      fetch: { kind: FilesGlob, path: "${dir}/evolve/f*.csv" }\n      read: { kind: Csv, header: true }\n      merge: { kind: Append }\n`,
    );
    expect(await pullDataset(ws, "globbed")).toMatchObject({ status: "updated", rowCount: 2 });
    expect(await data("globbed")).toEqual({
      columns: ["a", "b", "c"],
      rows: [
        ["1", "2", null],
        ["3", "4", "5"],
      ],
    });
  });
});

describe("afterwards", () => {
  test("every dataset these tests produced passes odf verify", async () => {
    for (const info of await ws.list())
      expect([info.alias, await verifyProblems(await ws.open(info.alias))]).toEqual([info.alias, []]);
  });
});
