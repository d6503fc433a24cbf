/** Checks the Concierge settings when the server starts: a bad one stops it, naming the variable. */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./lib/check-concierge-config');
}
