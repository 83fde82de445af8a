/**
 * The small CBOR subset the oracle protocol uses (RFC 8949): integers, byte and text strings,
 * arrays, booleans, null and f16/f32/f64 floats. Encoding is canonical (shortest heads, shortest
 * exact float); decoding accepts definite and, when asked, indefinite-length arrays.
 */

const MAJOR_UINT = 0;
const MAJOR_NEGINT = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;

const UINT64_MAX = (1n << 64n) - 1n;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** A float decoded from CBOR, kept apart from integers so callers can tell 2 from 2.0. */
export class CborFloat {
  constructor(readonly value: number) {}
}

/** An indefinite-length array (only produced when the decoder is told to accept them). */
export type CborItem = number | bigint | string | Uint8Array | boolean | null | undefined | CborFloat | CborItem[];

/** Growable byte buffer that writes CBOR items. */
export class CborWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Appends raw bytes. */
  raw(bytes: Uint8Array | readonly number[]): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** Appends an item head: major type and argument in the shortest form. */
  head(major: number, arg: number | bigint): this {
    const value = BigInt(arg);
    if (value < 0n || value > UINT64_MAX) throw new RangeError(`CBOR argument out of range: ${value}`);
    const m = major << 5;
    if (value < 24n) return this.raw([m | Number(value)]);
    if (value < 0x100n) return this.raw([m | 24, Number(value)]);
    if (value < 0x10000n) return this.raw([m | 25, Number(value >> 8n), Number(value & 0xffn)]);
    const width = value < 0x100000000n ? 4 : 8;
    const out = [m | (width === 4 ? 26 : 27)];
    for (let i = width - 1; i >= 0; i--) out.push(Number((value >> BigInt(8 * i)) & 0xffn));
    return this.raw(out);
  }

  /** Appends an integer (major 0 or 1) in the shortest form; range -2^64 .. 2^64-1. */
  int(value: number | bigint): this {
    const v = BigInt(value);
    if (v < -(UINT64_MAX + 1n) || v > UINT64_MAX) throw new RangeError(`integer does not fit CBOR: ${v}`);
    return v >= 0n ? this.head(MAJOR_UINT, v) : this.head(MAJOR_NEGINT, -1n - v);
  }

  /** Appends a text string. */
  text(value: string): this {
    const bytes = utf8Encoder.encode(value);
    return this.head(MAJOR_TEXT, bytes.length).raw(bytes);
  }

  /** Appends a byte string. */
  bytes(value: Uint8Array): this {
    return this.head(MAJOR_BYTES, value.length).raw(value);
  }

  /** Appends a definite-length array head. */
  array(length: number): this {
    return this.head(MAJOR_ARRAY, length);
  }

  /** Appends a boolean. */
  bool(value: boolean): this {
    return this.raw([value ? 0xf5 : 0xf4]);
  }

  /** Appends null. */
  null(): this {
    return this.raw([0xf6]);
  }

  /** Appends the shortest float (f16, f32 or f64) that holds `value` exactly; NaN as f16. */
  float(value: number): this {
    const half = toHalfBits(value);
    if (half !== undefined) return this.raw([0xf9, half >> 8, half & 0xff]);
    const view = new DataView(new ArrayBuffer(8));
    if (Math.fround(value) === value) {
      view.setFloat32(0, value);
      return this.raw([0xfa, ...new Uint8Array(view.buffer, 0, 4)]);
    }
    view.setFloat64(0, value);
    return this.raw([0xfb, ...new Uint8Array(view.buffer)]);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** IEEE half-precision bits of `value` when it is exactly representable, else undefined. */
function toHalfBits(value: number): number | undefined {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const abs = Math.abs(value);
  if (abs === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  if (abs === 0) return sign;
  // subnormal halves: k * 2^-24 for k in 1..1023
  const sub = abs * 2 ** 24;
  if (sub < 1024) return Number.isInteger(sub) ? sign | sub : undefined;
  const exp = Math.floor(Math.log2(abs));
  // log2 can be off by one near powers of two: settle the exponent so 1 <= abs / 2^exp < 2
  const e = abs / 2 ** exp >= 2 ? exp + 1 : abs / 2 ** exp < 1 ? exp - 1 : exp;
  if (e < -14 || e > 15) return undefined;
  const mant = (abs / 2 ** e - 1) * 1024;
  if (!Number.isInteger(mant)) return undefined;
  return sign | ((e + 15) << 10) | mant;
}

/** Thrown by `CborReader` for malformed or unsupported input; callers wrap it with context. */
export class CborFormatError extends Error {
  override name = "CborFormatError";
}

/** Reads CBOR items from a byte array. */
export class CborReader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    private readonly options: { allowIndefinite: boolean },
  ) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  private byte(): number {
    const b = this.bytes[this.pos];
    if (b === undefined) throw new CborFormatError(`unexpected end of input at byte ${this.pos}`);
    this.pos++;
    return b;
  }

  private uint(width: number): bigint {
    let v = 0n;
    for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(this.byte());
    return v;
  }

  /** Peeks whether the next byte is the indefinite-array "break" (0xff). */
  atBreak(): boolean {
    return this.bytes[this.pos] === 0xff;
  }

  /** Reads the next item. Integers outside the safe range come back as bigint. */
  read(): CborItem {
    const start = this.pos;
    const ib = this.byte();
    const major = ib >> 5;
    const info = ib & 0x1f;
    if (major === 7) return this.simple(info, start);
    if (info === 31) {
      if (major !== MAJOR_ARRAY || !this.options.allowIndefinite) {
        throw new CborFormatError(`indefinite length not supported at byte ${start}`);
      }
      const items: CborItem[] = [];
      while (!this.atBreak()) {
        if (this.done) throw new CborFormatError("unterminated indefinite-length array");
        items.push(this.read());
      }
      this.pos++;
      return items;
    }
    let arg: bigint;
    if (info < 24) arg = BigInt(info);
    else if (info < 28) arg = this.uint(1 << (info - 24));
    else throw new CborFormatError(`reserved additional information ${info} at byte ${start}`);
    switch (major) {
      case MAJOR_UINT:
        return toNumberIfSafe(arg);
      case MAJOR_NEGINT:
        return toNumberIfSafe(-1n - arg);
      case MAJOR_BYTES:
      case MAJOR_TEXT: {
        const end = this.pos + Number(arg);
        if (end > this.bytes.length) throw new CborFormatError(`string at byte ${start} runs past the end`);
        const slice = this.bytes.subarray(this.pos, end);
        this.pos = end;
        if (major === MAJOR_BYTES) return slice;
        try {
          return utf8Decoder.decode(slice);
        } catch {
          throw new CborFormatError(`invalid UTF-8 in text at byte ${start}`);
        }
      }
      case MAJOR_ARRAY: {
        if (arg > BigInt(this.bytes.length - this.pos)) {
          throw new CborFormatError(`array at byte ${start} declares ${arg} items, more than the input holds`);
        }
        const items: CborItem[] = [];
        for (let i = 0n; i < arg; i++) items.push(this.read());
        return items;
      }
      default:
        throw new CborFormatError(`unsupported major type ${major} at byte ${start}`);
    }
  }

  private simple(info: number, start: number): CborItem {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25:
        return new CborFloat(halfToNumber(Number(this.uint(2))));
      case 26: {
        const view = new DataView(new ArrayBuffer(4));
        view.setUint32(0, Number(this.uint(4)));
        return new CborFloat(view.getFloat32(0));
      }
      case 27: {
        const view = new DataView(new ArrayBuffer(8));
        view.setBigUint64(0, this.uint(8));
        return new CborFloat(view.getFloat64(0));
      }
      default:
        throw new CborFormatError(`unsupported simple value ${info} at byte ${start}`);
    }
  }
}

function toNumberIfSafe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
