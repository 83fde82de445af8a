import { type Address, encodeAbiParameters, type Hex, keccak256, toEventSelector, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChainSource } from "../../src/chain-source/createChainSource";
import { createLogsDataset } from "../../src/chain-source/createLogsDataset";
import { FilterPushDownError, LogDecodeError } from "../../src/chain-source/errors";
import type { Workspace } from "../../src/odf/workspace/workspace";
import { type HardhatNode, startHardhatNode } from "../harness/hardhatNode";
import { type Chain, chainClients, deploy, queryDataset, send, tempWorkspace } from "./fixtures";

const C = "ChainSourceEvents";
const A1 = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const A2 = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
const A3 = "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0";
const A4 = "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9";
const TAG = `0x${"11".repeat(32)}` as Hex;
const S = 'héllo ✓ "quoted"\n';

const SIG = {
  small:
    "SmallInts(uint8 indexed u8, int8 i8, uint16 u16, int16 i16, uint24 u24, int32 i32, uint40 u40, int64 i64, uint64 u64)",
  wide: "WideInts(uint72 indexed u72, int120 i120, uint128 u128, int128 i128, uint256 u256, int256 i256)",
  misc: "Misc(bool indexed flag, address indexed who, bytes32 indexed tag, bool b, address a, bytes1 b1, bytes7 b7, bytes dyn, string s)",
  arrays: "Arrays(uint256[3] fixedArr, int16[] dynArr, address[2][] nested, string[] strs, bytes[2] fixedBytes)",
  tuples:
    "Tuples((uint256 x, (uint8 a, bytes b) inner, address[] addrs) outer, (uint8 a, bytes b)[] inners, uint256[2][2] matrix)",
  indexed: "IndexedDynamic(string indexed name, bytes indexed blob, uint256[] indexed arr, string plain)",
};

describe("chain source: ABI decoding and filters on a real node", () => {
  let node: HardhatNode;
  let chain: Chain;
  let events: Address;
  let ws: Workspace;
  let cleanup: () => Promise<void>;
  const blocks: Record<string, number> = {};
  const source = createChainSource();
  let n = 0;

  const pullInto = async (params: {
    signature?: string;
    filter?: string;
    onMismatch?: "skip" | "fail";
    allEvents?: boolean;
  }) => {
    const dataset = await createLogsDataset(ws, {
      alias: `ds${n++}`,
      nodeUrl: node.url,
      addresses: [events],
      ...(params.signature ? { signature: params.signature } : {}),
      ...(params.filter ? { filter: params.filter } : {}),
      ...(params.allEvents ? { matchTopic0: false } : {}),
    });
    const result = await source.pull(dataset, params.onMismatch ? { onMismatch: params.onMismatch } : {});
    return { dataset, result };
  };

  beforeAll(async () => {
    node = await startHardhatNode();
    chain = chainClients(node.url);
    ({ ws, cleanup } = await tempWorkspace());
    events = await deploy(chain, C);
    const mark = async (name: string, fn: string, args: unknown[]) => {
      blocks[name] = await send(chain, events, C, fn, args);
    };
    await mark("small", "emitSmallInts", [
      255,
      -128,
      65535,
      -32768,
      16777215,
      -2147483648,
      1099511627775n,
      -(2n ** 63n),
      2n ** 64n - 1n,
    ]);
    await mark("wide", "emitWideInts", [
      2n ** 72n - 1n,
      -(2n ** 119n),
      2n ** 128n - 1n,
      -(2n ** 127n),
      2n ** 256n - 1n,
      -(2n ** 255n),
    ]);
    await mark("misc", "emitMisc", [true, A1, TAG, false, A2, "0xab", "0x01020304050607", "0xdeadbeef", S]);
    await mark("arrays", "emitArrays", [
      [1n, 2n, 3n],
      [-1, 2, -32768],
      [
        [A1, A2],
        [A3, A4],
      ],
      ["a", "", "ü"],
      ["0x01", "0x"],
    ]);
    await mark("tuples", "emitTuples", [
      { x: 5n, inner: { a: 7, b: "0xdeadbeef" }, addrs: [A1] },
      [
        { a: 1, b: "0x" },
        { a: 2, b: "0x0102" },
      ],
      [
        [1n, 2n],
        [3n, 4n],
      ],
    ]);
    await mark("indexed", "emitIndexedDynamic", ["alice", "0x0102", [1n, 2n], "bob"]);
    await mark("foreign", "emitForeign", [9n, 10n]);
  });
  afterAll(async () => {
    await cleanup?.();
    await node?.stop();
  });

  test("integers up to 64 bits as native integers of the smallest width", async () => {
    const { dataset, result } = await pullInto({
      signature: SIG.small,
      filter: `topic0 = X'${toEventSelector(SIG.small).slice(2)}'`,
    });
    expect(result.logs).toBe(1);
    const [row] = await queryDataset(
      dataset,
      `SELECT e.u8, e.i8, e.u16, e.i16, e.u24, e.i32, e.u40::VARCHAR AS u40, e.i64::VARCHAR AS i64, e.u64::VARCHAR AS u64,
              typeof(e.u8) AS t8, typeof(e.i16) AS t16, typeof(e.u24) AS t24, typeof(e.i64) AS t64, typeof(e.u64) AS tu64
       FROM (SELECT event AS e FROM t)`,
    );
    expect(row).toEqual({
      u8: 255,
      i8: -128,
      u16: 65535,
      i16: -32768,
      u24: 16777215,
      i32: -2147483648,
      u40: "1099511627775",
      i64: "-9223372036854775808",
      u64: "18446744073709551615",
      t8: "UTINYINT",
      t16: "SMALLINT",
      t24: "UINTEGER",
      t64: "BIGINT",
      tu64: "UBIGINT",
    });
  });

  test("wider integers exactly: DECIMAL(38,0) up to 120 bits, decimal text from 128", async () => {
    const { dataset } = await pullInto({
      signature: SIG.wide,
      filter: `topic0 = X'${toEventSelector(SIG.wide).slice(2)}'`,
    });
    const [row] = await queryDataset(
      dataset,
      `SELECT e.u72::VARCHAR AS u72, e.i120::VARCHAR AS i120, e.u128, e.i128, e.u256, e.i256, typeof(e.u72) AS t72, typeof(e.u256) AS t256
       FROM (SELECT event AS e FROM t)`,
    );
    expect(row).toEqual({
      u72: String(2n ** 72n - 1n),
      i120: String(-(2n ** 119n)),
      u128: String(2n ** 128n - 1n),
      i128: String(-(2n ** 127n)),
      u256: String(2n ** 256n - 1n),
      i256: String(-(2n ** 255n)),
      t72: "DECIMAL(38,0)",
      t256: "VARCHAR",
    });
  });

  test("bool, address, bytesN, bytes and string, indexed and not", async () => {
    const { dataset } = await pullInto({
      signature: SIG.misc,
      filter: `topic0 = X'${toEventSelector(SIG.misc).slice(2)}'`,
    });
    const [row] = await queryDataset(
      dataset,
      `SELECT e.flag, lower(hex(e.who)) AS who, lower(hex(e.tag)) AS tag, e.b, lower(hex(e.a)) AS a, lower(hex(e.b1)) AS b1,
              lower(hex(e.b7)) AS b7, lower(hex(e.dyn)) AS dyn, e.s, typeof(e.who) AS tw
       FROM (SELECT event AS e FROM t)`,
    );
    expect(row).toEqual({
      flag: true,
      who: A1.slice(2),
      tag: TAG.slice(2),
      b: false,
      a: A2.slice(2),
      b1: "ab",
      b7: "01020304050607",
      dyn: "deadbeef",
      s: S,
      tw: "BLOB",
    });
  });

  test("fixed and dynamic arrays, nested, of strings and bytes", async () => {
    const { dataset } = await pullInto({
      signature: SIG.arrays,
      filter: `topic0 = X'${toEventSelector(SIG.arrays).slice(2)}'`,
    });
    const [row] = await queryDataset(
      dataset,
      `SELECT e.fixedArr, e.dynArr, list_transform(e.nested, lambda p: list_transform(p, lambda q: lower(hex(q)))) AS nested,
              e.strs, list_transform(e.fixedBytes, lambda b: lower(hex(b))) AS fixedBytes
       FROM (SELECT event AS e FROM t)`,
    );
    expect(row).toEqual({
      fixedArr: ["1", "2", "3"],
      dynArr: [-1, 2, -32768],
      nested: [
        [A1.slice(2), A2.slice(2)],
        [A3.slice(2), A4.slice(2)],
      ],
      strs: ["a", "", "ü"],
      fixedBytes: ["01", ""],
    });
  });

  test("tuples as structs, arrays of tuples as lists of structs", async () => {
    const { dataset } = await pullInto({
      signature: SIG.tuples,
      filter: `topic0 = X'${toEventSelector(SIG.tuples).slice(2)}'`,
    });
    const [row] = await queryDataset(
      dataset,
      `SELECT e.outer.x AS x, e.outer.inner.a AS a, lower(hex(e.outer.inner.b)) AS b,
              list_transform(e.outer.addrs, lambda q: lower(hex(q))) AS addrs,
              list_transform(e.inners, lambda i: {'a': i.a, 'b': lower(hex(i.b))}) AS inners, e.matrix
       FROM (SELECT event AS e FROM t)`,
    );
    expect(row).toEqual({
      x: "5",
      a: 7,
      b: "deadbeef",
      addrs: [A1.slice(2)],
      inners: [
        { a: 1, b: "" },
        { a: 2, b: "0102" },
      ],
      matrix: [
        ["1", "2"],
        ["3", "4"],
      ],
    });
  });

  test("indexed dynamic types are their topic hash", async () => {
    const { dataset } = await pullInto({
      signature: SIG.indexed,
      filter: `topic0 = X'${toEventSelector(SIG.indexed).slice(2)}'`,
    });
    const [row] = await queryDataset(
      dataset,
      `SELECT lower(hex(e.name)) AS name, lower(hex(e.blob)) AS blob, lower(hex(e.arr)) AS arr, e.plain FROM (SELECT event AS e FROM t)`,
    );
    const arrHash = keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [1n, 2n]));
    expect(row).toEqual({
      name: keccak256(toHex("alice")).slice(2),
      blob: keccak256("0x0102").slice(2),
      arr: arrHash.slice(2),
      plain: "bob",
    });
  });

  test("raw columns are always kept", async () => {
    const { dataset } = await pullInto({
      signature: SIG.small,
      filter: `topic0 = X'${toEventSelector(SIG.small).slice(2)}'`,
    });
    const [row] = await queryDataset(
      dataset,
      `SELECT block_number, lower(hex(topic0)) AS t0, lower(hex(topic1)) AS t1, topic2 IS NULL AS no_t2, octet_length(data)::INT AS len,
              octet_length(block_hash)::INT AS bh, octet_length(transaction_hash)::INT AS th, transaction_index, log_index FROM t`,
    );
    expect(row).toEqual({
      block_number: String(blocks.small),
      t0: toEventSelector(SIG.small).slice(2),
      t1: `${"0".repeat(62)}ff`,
      no_t2: true,
      len: 8 * 32,
      bh: 32,
      th: 32,
      transaction_index: "0",
      log_index: "0",
    });
  });

  test("a foreign event at the same address is skipped and counted, or fails the pull", async () => {
    const { dataset, result } = await pullInto({ signature: SIG.small, allEvents: true });
    expect(result.logs).toBe(1);
    expect(result.mismatched).toBe(6);
    expect(await queryDataset(dataset, "SELECT count(*)::INT AS n FROM t")).toEqual([{ n: 1 }]);
    await expect(pullInto({ signature: SIG.small, onMismatch: "fail", allEvents: true })).rejects.toBeInstanceOf(
      LogDecodeError,
    );
  });

  test("filters: topic equality, OR-chain, IN, block_number comparisons", async () => {
    const count = async (filter: string) => (await pullInto({ filter })).result.logs;
    expect(await count("topic1 = X'00000000000000000000000000000000000000000000000000000000000000ff'")).toBe(1);
    expect(
      await count(
        `topic0 = X'${toEventSelector(SIG.small).slice(2)}' OR topic0 = X'${toEventSelector(SIG.wide).slice(2)}'`,
      ),
    ).toBe(2);
    expect(
      await count(`topic0 IN (X'${toEventSelector(SIG.misc).slice(2)}', X'${toEventSelector(SIG.tuples).slice(2)}')`),
    ).toBe(2);
    expect(await count(`block_number = ${blocks.misc}`)).toBe(1);
    expect(await count(`block_number >= ${blocks.arrays} AND block_number < ${blocks.foreign}`)).toBe(3);
    expect(await count(`block_number BETWEEN ${blocks.small} AND ${blocks.wide}`)).toBe(2);
    expect(await count(`block_number > ${blocks.indexed}`)).toBe(1);
    // Without a filter on address, the logs of every contract: the same 7 here.
    expect(await count("block_number <= 1000")).toBe(7);
  });

  test("a filter that cannot be pushed down is refused before anything is written", async () => {
    await expect(pullInto({ filter: "address = X'00' OR topic1 IS NULL" })).rejects.toBeInstanceOf(FilterPushDownError);
    await expect(pullInto({ filter: `topic1 = X'${"0".repeat(64)}' OR block_number > 3` })).rejects.toThrow(
      /an OR-chain must compare one column/,
    );
  });
});
