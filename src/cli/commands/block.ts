import { readFile } from "node:fs/promises";
import { BaseError } from "../../errors/base";
import type { RegisterCommand } from "../program";

/** A file named on the command line cannot be read. */
export class InputFileError extends BaseError {
  override name = "InputFileError";
}

async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? String(cause));
    throw new InputFileError(`Cannot read ${file}: ${reason}`, { cause });
  }
}

/** `odf block hash <file.yaml>` and `odf block decode <block-file>`. */
export const registerBlock: RegisterCommand = (program, ctx) => {
  const block = program.command("block").description("Metadata blocks: hash YAML manifests, decode binary blocks");

  block
    .command("hash")
    .description("Print the block hash (f1620...) of a YAML MetadataBlock manifest, encoded with its manifest version")
    .argument("<file.yaml>", "YAML manifest: kind: MetadataBlock, version: 2|3, content: {...}")
    .action(async (file: string) => {
      const text = (await readInput(file)).toString("utf8");
      const { blockHash, encodeMetadataBlock } = await import("../../odf/metadata/blockCodec.js");
      const { parseMetadataBlockYaml } = await import("../../odf/metadata/yaml.js");
      const { block: parsed, version } = parseMetadataBlockYaml(text);
      ctx.out.line(blockHash(encodeMetadataBlock(parsed, { version })));
    });

  block
    .command("decode")
    .description("Print a binary metadata block (a blocks/<hash> file) as a YAML manifest")
    .argument("<block-file>", "manifest bytes of a metadata block (versions 2 and 3)")
    .action(async (file: string) => {
      const bytes = await readInput(file);
      const { decodeMetadataBlock } = await import("../../odf/metadata/blockCodec.js");
      const { blockToYaml } = await import("../../odf/metadata/yaml.js");
      const { block: decoded, version } = decodeMetadataBlock(
        new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      );
      ctx.out.raw(blockToYaml(decoded, version));
    });
};
