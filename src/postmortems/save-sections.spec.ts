import { changedSections } from './save-sections';

describe('changedSections', () => {
  const saved = new Map([
    ['rootCause', 'Pool of 2.'],
    ['impact', 'Checkout down.'],
  ]);

  it('keeps only the sections whose text changes, in document order', () => {
    expect(
      changedSections(
        { lessonsLearned: 'Canary deploys.', rootCause: 'Pool of 2.', impact: 'Checkout down for 9 minutes.' },
        saved,
      ),
    ).toEqual([
      ['impact', 'Checkout down for 9 minutes.'],
      ['lessonsLearned', 'Canary deploys.'],
    ]);
  });

  it('treats null and blank as empty: clearing a saved section is a change, clearing an empty one is not', () => {
    expect(changedSections({ rootCause: null, summary: '  ', whatWentWell: null }, saved)).toEqual([['rootCause', '']]);
  });

  it('normalises line endings before comparing', () => {
    expect(changedSections({ impact: 'a\r\nb' }, new Map([['impact', 'a\nb']]))).toEqual([]);
  });
});
