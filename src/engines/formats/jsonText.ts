import { toJsonValue } from "../../query/outputData";
import { stringifyJson } from "../../query/stringifyJson";
import type { ResultValue } from "../types";

/**
 * JSON text of one value, where a nested value (list, struct, map) must become text in a table,
 * CSV or oracle cell: the same mapping as `/query`'s `output.data` (`toJsonValue`), so floats keep
 * a fraction (`[1.0]`), integers print every digit, binary is lowercase hex.
 */
export function jsonText(value: ResultValue): string {
  return stringifyJson(toJsonValue(value));
}
