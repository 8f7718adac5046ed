import {
  decodeIncidentEvent,
  encodeIncidentEvent,
  eventOfMessage,
  INCIDENT_EVENT_VERSION,
} from './incident-event.message';

const entry = {
  incidentId: '6f1c1f0e-8a4b-4c1e-9a57-0f2a4c9b1d11',
  seq: 3,
  type: 'note.added',
  actor: 'alice',
  occurredAt: new Date('2026-12-04T03:21:00Z'),
  data: { noteId: 'n1', text: 'disk at 97%', pinned: false },
};

describe('the incident-event message', () => {
  it('round-trips through encode and decode with its version', () => {
    const message = encodeIncidentEvent(entry);
    expect(message.v).toBe(INCIDENT_EVENT_VERSION);
    const decoded = decodeIncidentEvent(Buffer.from(JSON.stringify(message)));
    expect(decoded).toEqual({ ok: true, message: { ...message } });
    if (!decoded.ok || decoded.message.type !== 'note.added') throw new Error('expected a note');
    expect(decoded.message.data.text).toBe('disk at 97%');
    expect(eventOfMessage(decoded.message).occurredAt).toEqual(entry.occurredAt);
  });

  it('reads a message written before `v` existed as v1', () => {
    const { v: _v, ...legacy } = encodeIncidentEvent(entry);
    expect(decodeIncidentEvent(JSON.stringify(legacy))).toMatchObject({ ok: true, message: { v: 1, seq: 3 } });
  });

  it.each([
    ['not JSON', '{"incidentId":', 'not JSON'],
    ['an array', '[]', 'not an object'],
    ['a future version', JSON.stringify({ ...encodeIncidentEvent(entry), v: 2 }), 'unknown version 2'],
    [
      'an unknown type',
      JSON.stringify({ ...encodeIncidentEvent(entry), type: 'incident.teleported' }),
      'unknown type "incident.teleported"',
    ],
    ['no seq', JSON.stringify({ ...encodeIncidentEvent(entry), seq: 0 }), 'no seq'],
    ['a bad time', JSON.stringify({ ...encodeIncidentEvent(entry), occurredAt: 'yesterday' }), 'no occurredAt'],
    ['no data', JSON.stringify({ ...encodeIncidentEvent(entry), data: null }), 'no data'],
  ])('skips %s with a reason, never throwing', (_name, raw, reason) => {
    expect(decodeIncidentEvent(raw)).toEqual({ ok: false, reason });
  });
});
