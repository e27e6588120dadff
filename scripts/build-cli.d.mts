/** Builds out/cli (the `wirelab` command as JavaScript); resolves with the folder. */
export function buildCli(outdir?: string): Promise<string>;
