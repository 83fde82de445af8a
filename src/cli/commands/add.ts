import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

/** `odf add <snapshot.yaml|dir>...`: creates datasets from DatasetSnapshot manifests, inputs first. */
export const registerAdd: RegisterCommand = (program, ctx) => {
  program
    .command("add")
    .description("create datasets from DatasetSnapshot manifests (files or directories of .yaml), in dependency order")
    .argument("<manifests...>", "snapshot YAML files or directories")
    .action(async (paths: string[]) => {
      const { readSnapshots, addDatasets } = await import("../../ingest/addDatasets.js");
      const ws = await openCliWorkspace(ctx);
      const snapshots = await readSnapshots(paths);
      const created = await addDatasets(ws, snapshots);
      for (const d of created) ctx.out.line(`Added ${d.kind.toLowerCase()} dataset ${d.alias} (${d.id})`);
    });
};
