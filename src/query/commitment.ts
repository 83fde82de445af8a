import { sha3MultihashString } from "../odf/multihash";
import { canonicalJsonBytes } from "./canonicalJson";
import type { JsonValue } from "./jsonValue";

/**
 * Succinct commitment of a query response: each hash is the SHA3-256 multihash (multibase
 * base16, `f1620...`) of the canonical JSON of that part of the response.
 */
export type Commitment = {
  inputHash: string;
  outputHash: string;
  subQueriesHash: string;
};

/** The parts a commitment covers. */
export type CommitmentParts = {
  input: JsonValue;
  output: JsonValue;
  subQueries: JsonValue;
};

/** Multihash SHA3-256 (`f1620` + hex digest) of the canonical JSON of a value. */
export function sha3Multihash(value: JsonValue): string {
  return sha3MultihashString(canonicalJsonBytes(value));
}

/** Computes the commitment of a response's `input`, `output` and `subQueries`. */
export function computeCommitment(parts: CommitmentParts): Commitment {
  return {
    inputHash: sha3Multihash(parts.input),
    outputHash: sha3Multihash(parts.output),
    subQueriesHash: sha3Multihash(parts.subQueries),
  };
}
