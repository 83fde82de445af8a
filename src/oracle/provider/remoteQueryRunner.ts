import {
  DatasetNotFoundError,
  ForbiddenQueryError,
  InvalidQueryError,
  QueryExecutionError,
  QueryLimitError,
} from "../../engines/errors";
import { isJsonObject, type JsonValue } from "../../query/jsonValue";
import { parseJson } from "../../query/parseJson";
import { stringifyJson } from "../../query/stringifyJson";
import { RemoteQueryUnavailableError } from "./errors";
import { type QueryRunner, toQueryRequest } from "./queryRunner";

/**
 * A runner that sends each query to a remote ODF node's `POST {apiUrl}/query` (`JsonAoA`,
 * `include: [Input, Proof]`, explicit `limit`). The node's refusals come back as the engine's error
 * classes (so they are answered on chain); network failures and 5xx replies are retryable.
 */
export function createRemoteQueryRunner(params: { apiUrl: string; timeoutMs: number }): QueryRunner {
  const url = `${params.apiUrl.replace(/\/+$/, "")}/query`;
  return {
    kind: "remote",
    async run(query) {
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: stringifyJson(toQueryRequest(query) as unknown as JsonValue),
          signal: AbortSignal.timeout(params.timeoutMs),
        });
        text = await response.text();
      } catch (cause) {
        throw new RemoteQueryUnavailableError(url, { cause });
      }
      let body: JsonValue;
      try {
        body = parseJson(text);
      } catch (cause) {
        throw new RemoteQueryUnavailableError(`${url} replied ${response.status} with a body that is not JSON`, {
          cause,
        });
      }
      if (response.ok && isJsonObject(body)) return body;
      const error = isJsonObject(body) && isJsonObject(body.error) ? body.error : {};
      const kind = typeof error.kind === "string" ? error.kind : "";
      const message = typeof error.message === "string" ? error.message : `HTTP ${response.status}`;
      if (response.status >= 500 || response.status === 429)
        throw new RemoteQueryUnavailableError(`${url}: ${message}`);
      if (kind === "Dataset::NotFound") {
        throw new DatasetNotFoundError({ datasetId: typeof error.dataset_id === "string" ? error.dataset_id : "?" });
      }
      if (kind === "Query::Invalid") throw new InvalidQueryError(message.replace(/^Invalid query: /, ""));
      if (kind === "Query::Forbidden") throw new ForbiddenQueryError(message.replace(/^Forbidden query: /, ""));
      if (kind.startsWith("Query::Limit::")) {
        const limit = kind.slice("Query::Limit::".length).toLowerCase() as "rows" | "bytes" | "time" | "memory";
        const bound = typeof error.bound === "number" || typeof error.bound === "string" ? error.bound : 0;
        throw new QueryLimitError({ limit, bound, message: message.replace(/^Query limit exceeded: /, "") });
      }
      throw new QueryExecutionError(message);
    },
  };
}
