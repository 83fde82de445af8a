import { BaseError } from "../../errors/base";

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
