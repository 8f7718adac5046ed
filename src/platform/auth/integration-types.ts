import { Injectable } from '@nestjs/common';

/** A kind of alert source, as the module that ingests it declares it. */
export interface IntegrationTypeSpec {
  /** The `type` of `POST /api/v1/integrations`, e.g. `alertmanager`. */
  type: string;
  /**
   * Whether the source signs its deliveries with a secret Sitrep issues (PagerDuty's HMAC):
   * such an integration gets `secret`, shown once at creation and stored as it is, since
   * verifying an HMAC needs the secret itself.
   */
  signingSecret: boolean;
}

/**
 * The integration types known to this instance. Platform knows no alert source: each feature
 * module that ingests one registers it while the application is built, before the first
 * request and before the API document is generated.
 */
@Injectable()
export class IntegrationTypes {
  private readonly specs = new Map<string, IntegrationTypeSpec>();

  register(...specs: IntegrationTypeSpec[]): void {
    for (const spec of specs) {
      const known = this.specs.get(spec.type);
      if (known && known.signingSecret !== spec.signingSecret) {
        throw new Error(`Integration type ${spec.type} is registered twice, with different signing needs`);
      }
      this.specs.set(spec.type, { ...spec });
    }
  }

  get(type: string): IntegrationTypeSpec | undefined {
    return this.specs.get(type);
  }

  /** The registered types, in registration order. */
  names(): string[] {
    return [...this.specs.keys()];
  }
}
