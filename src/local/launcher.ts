// Placeholder until the emulator lands: --local assumes the emulator already runs.
export async function ensureEmulator(_options: { port: number }): Promise<void> {}
