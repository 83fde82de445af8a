/**
 * A JSON number that is a float in its source (written with a fraction or an exponent, or a
 * floating-point column of a query result). Canonical JSON prints floats and integers
 * differently (`1.0` → `1E0`, `1` → `1`), so the distinction has to survive parsing.
 */
export class JsonFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/**
 * A JSON value whose numbers keep their int/float kind: `number` holding an integer and `bigint`
 * are integers; `JsonFloat` (and a `number` with a fraction) is a float.
 */
export type JsonValue =
  | null
  | boolean
  | string
  | number
  | bigint
  | JsonFloat
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Whether a value is a plain JSON object (not an array, not a `JsonFloat`). */
export function isJsonObject(value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonFloat);
}
