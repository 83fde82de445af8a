import { BaseError, RetryableError } from "../../errors/base";
import type { DatasetLockOwner } from "./datasetLock";

/** A dataset alias that ODF does not allow (or that would escape the workspace directory). */
export class InvalidAliasError extends BaseError {
  override name = "InvalidAliasError";
  constructor(alias: string) {
    super(`Invalid dataset alias ${JSON.stringify(alias)}`, {
      hints: ["Aliases start with a letter or digit and contain only letters, digits, '.', '_' and '-'."],
    });
  }
}

/** A dataset with that alias already exists in the workspace. */
export class DatasetExistsError extends BaseError {
  override name = "DatasetExistsError";
  constructor(alias: string) {
    super(`Dataset ${alias} already exists in the workspace`);
  }
}

/** The directory is not an ODF workspace (no `workspace.json`). */
export class NotAWorkspaceError extends BaseError {
  override name = "NotAWorkspaceError";
  constructor(dir: string) {
    super(`${dir} is not an ODF workspace`, { hints: ["Run `odf init` to create one."] });
  }
}

/** Another writer (an ingest, pull or transform run) holds the dataset's write lock; retry later. */
export class DatasetLockedError extends RetryableError {
  override name = "DatasetLockedError";
  readonly owner: DatasetLockOwner | undefined;
  constructor(params: { alias: string; owner: DatasetLockOwner | undefined }) {
    const { alias, owner } = params;
    const who =
      owner === undefined
        ? "another process"
        : `pid ${owner.pid}${owner.host ? ` on ${owner.host}` : ""} (${owner.operation}${owner.since ? `, since ${owner.since}` : ""})`;
    super(`Dataset ${alias} is being written by ${who}; nothing was changed`, {
      hints: [
        "Run it again once that writer has finished.",
        "A lock left by a crashed writer of this host is taken over automatically; one of another host is not (remove the dataset's .lock file if you are sure).",
      ],
    });
    this.owner = owner;
  }
}
