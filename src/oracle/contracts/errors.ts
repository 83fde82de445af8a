import { BaseError } from "../../errors/base";

/** A contract's compiled artifact is missing: the contracts were not compiled. */
export class ArtifactNotFoundError extends BaseError {
  override name = "ArtifactNotFoundError";
}

/** A deployment transaction failed or produced no contract. */
export class DeploymentError extends BaseError {
  override name = "DeploymentError";
}

/** Deployment options are incomplete or invalid (unknown network, missing key). */
export class DeployConfigError extends BaseError {
  override name = "DeployConfigError";
}
