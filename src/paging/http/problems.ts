import { invalidFields } from '../../platform/http/app-error';

export const invalid = invalidFields;

export { IfMatch, parseIfMatch } from '../../platform/http/if-match';
