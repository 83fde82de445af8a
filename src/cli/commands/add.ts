import type { RegisterCommand } from "../program";
import { openCliWorkspace } from "../workspaceOpen";

/**
 * `odf add <snapshot.yaml|dir>...`: creates datasets from DatasetSnapshot manifests, inputs first;
 * all or nothing, and datasets already added from the same manifests are skipped.
 */
export const registerAdd: RegisterCommand = (program, ctx) => {
  program
    .command("add")
    .description(
      "create datasets from DatasetSnapshot manifests (files or directories of .yaml), in dependency order; all or nothing; datasets that already exist with the same metadata are skipped",
    )
    .argument("<manifests...>", "snapshot YAML files or directories")
    .action(async (paths: string[]) => {
      const { readSnapshots, addDatasets } = await import("../../ingest/addDatasets.js");
      const ws = await openCliWorkspace(ctx);
      const snapshots = await readSnapshots(paths);
      for (const d of await addDatasets(ws, snapshots)) {
        const what = `${d.kind.toLowerCase()} dataset ${d.alias} (${d.id})`;
        if (d.status === "unchanged") ctx.out.line(`Skipped ${what}: it already exists with this manifest's metadata`);
        else if (d.status === "completed") ctx.out.line(`Added ${what}, completing an add that was interrupted`);
        else ctx.out.line(`Added ${what}`);
      }
    });
};
