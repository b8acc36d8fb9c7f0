/**
 * A stand-in for the user's browser in the OIDC test: given the login URL as its one argument, it
 * follows the identity provider's redirects back to Latchkey's localhost callback.
 */
async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) process.exit(2);
  const response = await fetch(url, { redirect: 'follow' });
  await response.text();
}

if (require.main === module) void main();
