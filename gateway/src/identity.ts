/** Who is calling. The local single-user mode acts as one configured agent; sign-in modes set the same shape. */
export interface User {
  /** Stable subject identifier (OIDC `sub`, or `local:<email>`). Rooms are owned by it. */
  sub: string;
  email: string;
  name?: string;
}

export function localUser(email: string, name: string): User {
  return { sub: `local:${email.toLowerCase()}`, email, name };
}
