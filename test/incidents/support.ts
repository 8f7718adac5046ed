import { call } from '../support/app';

/** A token of the given role and name, made through the API. */
export async function tokenFor(url: string, name: string, role: 'viewer' | 'responder' | 'admin'): Promise<string> {
  const res = await call(url, 'POST', '/api/v1/tokens', { body: { name, role } });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${res.text}`);
  return res.body.token;
}

export async function declare(url: string, body: Record<string, unknown> = {}, token?: string) {
  const res = await call(url, 'POST', '/api/v1/incidents', {
    token,
    body: { title: 'Checkout 5xx above 5%', severity: 'SEV2', service: 'checkout', ...body },
  });
  if (res.status !== 201) throw new Error(`declare failed: ${res.status} ${res.text}`);
  return res.body;
}
