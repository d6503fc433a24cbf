export const CONTENT_SECURITY_POLICY: string;
export function start(options?: { port?: number; kbDir?: string }): Promise<{ origin: string; close: () => void }>;
