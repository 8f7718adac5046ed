import { BackgroundCommits } from './background-commits';

/** A commit that resolves when told to, recording the offset it was asked to commit. */
function gate() {
  const started: number[] = [];
  const releases: Array<() => void> = [];
  const commit = (offset: number) => () =>
    new Promise<void>((resolve) => {
      started.push(offset);
      releases.push(resolve);
    });
  return { started, commit, releaseNext: () => releases.shift()?.() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BackgroundCommits', () => {
  it('keeps one commit in flight and folds the requests made meanwhile into the latest one', async () => {
    const commits = new BackgroundCommits(() => undefined);
    const { started, commit, releaseNext } = gate();
    commits.request(commit(1));
    commits.request(commit(2));
    commits.request(commit(3));
    await tick();
    expect(started).toEqual([1]);
    releaseNext();
    await tick();
    expect(started).toEqual([1, 3]);
    releaseNext();
    await commits.settle();
    expect(started).toEqual([1, 3]);
  });

  it('reports a failed commit and goes on with the next one', async () => {
    const errors: unknown[] = [];
    const commits = new BackgroundCommits((error) => errors.push(error));
    const done: number[] = [];
    commits.request(() => Promise.reject(new Error('rebalancing')));
    commits.request(async () => void done.push(2));
    await commits.settle();
    expect(errors).toEqual([new Error('rebalancing')]);
    expect(done).toEqual([2]);
  });

  it('settles at once when nothing was requested', async () => {
    await expect(new BackgroundCommits(() => undefined).settle()).resolves.toBeUndefined();
  });
});

describe('BackgroundCommits with spacing', () => {
  it('starts commits at least the spacing apart, the latest request covering those made meanwhile', async () => {
    const commits = new BackgroundCommits(() => undefined, 60_000);
    const { started, commit, releaseNext } = gate();
    commits.request(commit(1));
    await tick();
    releaseNext();
    await tick();
    commits.request(commit(2));
    commits.request(commit(3));
    await tick();
    // Within the spacing nothing more starts …
    expect(started).toEqual([1]);
    // … until settle() (a stop) asks for what is pending at once.
    const settled = commits.settle();
    await tick();
    expect(started).toEqual([1, 3]);
    releaseNext();
    await settled;
    expect(started).toEqual([1, 3]);
  });

  it('settles a commit requested while another is in flight without waiting out the spacing', async () => {
    const commits = new BackgroundCommits(() => undefined, 60_000);
    const { started, commit, releaseNext } = gate();
    commits.request(commit(1));
    await tick();
    commits.request(commit(2));
    const settled = commits.settle();
    releaseNext();
    await tick();
    await tick();
    expect(started).toEqual([1, 2]);
    releaseNext();
    await settled;
  });
});
