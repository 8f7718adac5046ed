import type { AppConfig } from '../../config/config';
import type { PageMethod } from '../domain';

export const PAGE_METHOD_NAMES: PageMethod[] = ['email', 'slack', 'sms', 'voice'];

/** ISO 8601 weeks/days/hours/minutes/seconds, as notification rule delays are written. */
export const ISO_DURATION =
  /^P(?!$)(?:\d{1,4}W)?(?:\d{1,5}D)?(?:T(?=\d)(?:\d{1,6}H)?(?:\d{1,7}M)?(?:\d{1,9}(?:\.\d{1,3})?S)?)?$/;

/** The methods a contact has: a phone counts as both SMS and voice. */
export function contactMethodsOf(contact: {
  email: string | null;
  slackUserId: string | null;
  phone: string | null;
}): PageMethod[] {
  const methods: PageMethod[] = [];
  if (contact.email) methods.push('email');
  if (contact.slackUserId) methods.push('slack');
  if (contact.phone) methods.push('sms', 'voice');
  return methods;
}

/** The page methods whose channel is configured here (unset settings switch a channel off). */
export function enabledPageMethods(config: AppConfig): PageMethod[] {
  const methods: PageMethod[] = [];
  if (config.email.smtpUrl) methods.push('email');
  if (config.slack.botToken) methods.push('slack');
  if (config.twilio.accountSid && config.twilio.authToken && config.twilio.from) methods.push('sms', 'voice');
  return methods;
}
