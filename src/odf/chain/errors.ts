import { BaseError } from "../../errors/base";

/** A block breaks a metadata chain rule (DESIGN 5.4). `sequenceNumber` names the offending block. */
export class ChainRuleError extends BaseError {
  override name = "ChainRuleError";
  readonly sequenceNumber: number;
  constructor(sequenceNumber: number, message: string) {
    super(`Block ${sequenceNumber}: ${message}`);
    this.sequenceNumber = sequenceNumber;
  }
}

/** The first block is not a Seed, or a Seed appears later. */
export class SeedRuleError extends ChainRuleError {
  override name = "SeedRuleError";
}
/** `sequenceNumber` is not the previous one plus one (0 at the Seed). */
export class SequenceNumberError extends ChainRuleError {
  override name = "SequenceNumberError";
}
/** `prevBlockHash` is not the hash of the previous block. */
export class PrevBlockHashError extends ChainRuleError {
  override name = "PrevBlockHashError";
}
/** `systemTime` went backwards. */
export class SystemTimeError extends ChainRuleError {
  override name = "SystemTimeError";
}
/** A watermark went backwards. */
export class WatermarkError extends ChainRuleError {
  override name = "WatermarkError";
}
/** Data was added before any `SetDataSchema`. */
export class SchemaRequiredError extends ChainRuleError {
  override name = "SchemaRequiredError";
}
/** `prevOffset` or the new offset interval does not continue the dataset's offsets. */
export class OffsetError extends ChainRuleError {
  override name = "OffsetError";
}
/** `prevCheckpoint` is not the last `newCheckpoint`. */
export class CheckpointError extends ChainRuleError {
  override name = "CheckpointError";
}
/** An AddData/ExecuteTransform that changes nothing. */
export class NoOpBlockError extends ChainRuleError {
  override name = "NoOpBlockError";
}
/** ExecuteTransform input ranges do not continue where the previous ones ended. */
export class InputRangeError extends ChainRuleError {
  override name = "InputRangeError";
}
/** An event that does not fit the dataset (AddData in a derivative, a transform in a root, ...). */
export class EventNotAllowedError extends ChainRuleError {
  override name = "EventNotAllowedError";
}
