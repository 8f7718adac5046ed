/** An adapter's settings: its defaults, overridden by each option given (undefined keeps the default). */
export function withDefaults<S extends object>(defaults: S, options: object): S {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...defaults, ...defined };
}
