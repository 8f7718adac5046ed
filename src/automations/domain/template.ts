const PLACEHOLDER = /\{\{\s*labels\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export type Rendered = { ok: true; args: Record<string, string> } | { ok: false; reason: string };

/**
 * Fills `{{labels.name}}` in each argument from the alert's labels. The values are data, never
 * code: the runner passes them as environment variables, so `x; rm -rf /` stays a string. A
 * label the alert does not carry fails the run rather than running with a blank.
 */
export function renderArgs(args: Record<string, string>, labels: Record<string, string>): Rendered {
  const out: Record<string, string> = {};
  for (const [name, template] of Object.entries(args)) {
    let missing: string | undefined;
    out[name] = template.replace(PLACEHOLDER, (_, label: string) => {
      if (!Object.prototype.hasOwnProperty.call(labels, label)) {
        missing ??= label;
        return '';
      }
      return labels[label];
    });
    if (missing !== undefined) return { ok: false, reason: `args.${name}: the alert has no label "${missing}"` };
  }
  return { ok: true, args: out };
}

/** The environment variable an argument travels in. */
export function argEnvName(name: string): string {
  return `SITREP_ARG_${name.toUpperCase()}`;
}
