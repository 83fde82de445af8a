import { BaseError } from "../../errors/base";

/** A stored block's bytes do not hash to the name it is stored under. */
export class BlockHashMismatchError extends BaseError {
  override name = "BlockHashMismatchError";
  readonly expected: string;
  readonly actual: string;
  constructor(params: { expected: string; actual: string; location: string }) {
    super(`Block ${params.expected} in ${params.location} is corrupted: its bytes hash to ${params.actual}`);
    this.expected = params.expected;
    this.actual = params.actual;
  }
}

/** `refs/head` names a block that is not in the store. */
export class HeadNotFoundError extends BaseError {
  override name = "HeadNotFoundError";
  readonly head: string;
  constructor(params: { head: string; location: string }) {
    super(`Head ${params.head} of ${params.location} points at a missing block`);
    this.head = params.head;
  }
}
