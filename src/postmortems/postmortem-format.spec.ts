import { parseIsoBound } from './postmortem.dto';
import { etagOf, negotiateFormat, parsePostmortemIfMatch } from './postmortem-format';

describe('negotiateFormat', () => {
  it('lets ?format win over Accept', () => {
    expect(negotiateFormat('pdf', 'text/html')).toBe('pdf');
    expect(negotiateFormat('markdown', undefined)).toBe('markdown');
  });

  it('rejects an unknown format with a 400 naming format', () => {
    expect(() => negotiateFormat('docx', undefined)).toThrow(
      expect.objectContaining({ kind: 'invalid', details: [expect.objectContaining({ path: 'format' })] }),
    );
    expect(() => negotiateFormat('', 'application/json')).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });

  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['text/markdown', 'markdown'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'],
    ['application/pdf', 'pdf'],
    ['text/html;q=0.5, application/pdf', 'pdf'],
    ['*/*, text/markdown', 'markdown'],
    ['text/*', 'html'],
    ['application/pdf;q=0, text/markdown;q=0.1', 'markdown'],
    ['image/png', null],
    ['application/pdf;q=0', null],
  ])('Accept %p → %p', (accept, expected) => {
    expect(negotiateFormat(undefined, accept)).toBe(expected);
  });
});

describe('If-Match and ETag', () => {
  it('names the postmortem version first and the incident version second', () => {
    expect(etagOf({ version: 3, incidentVersion: 17 })).toBe('"3.17"');
  });

  it.each([
    [undefined, undefined],
    ['*', undefined],
    ['"3.17"', 3],
    ['W/"3.17"', 3],
    ['"3"', 3],
    ['0', 0],
  ])('%p → %p', (header, expected) => {
    expect(parsePostmortemIfMatch(header)).toBe(expected);
  });

  it('refuses anything else with a 412', () => {
    expect(() => parsePostmortemIfMatch('banana')).toThrow(expect.objectContaining({ kind: 'precondition_failed' }));
  });
});

describe('parseIsoBound', () => {
  it('reads dates as UTC days, a bare `to` as the end of its day', () => {
    expect(parseIsoBound('2026-03-01', false)).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(parseIsoBound('2026-03-07', true)).toBe(Date.parse('2026-03-08T00:00:00Z'));
    expect(parseIsoBound('2026-03-01T10:30:00+02:00', true)).toBe(Date.parse('2026-03-01T08:30:00Z'));
    expect(parseIsoBound('2026-03-01T10:30Z', false)).toBe(Date.parse('2026-03-01T10:30:00Z'));
  });

  it.each(['2026-02-30', '2026-3-1', 'yesterday', '2026-03-01T10:00:00', '2026-03-01T25:00:00Z', '1709251200'])(
    'refuses %p',
    (value) => {
      expect(parseIsoBound(value, false)).toBeNull();
    },
  );
});
