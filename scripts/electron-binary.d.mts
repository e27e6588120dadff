export function findElectronBinary(env?: NodeJS.ProcessEnv): { path: string } | { path: null; reason: string };
export const projectRoot: string;
