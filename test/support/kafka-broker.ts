import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface KafkaMockBroker {
  brokers: string;
  pid: number;
  stop(): Promise<void>;
}

function ensureKcat(): string {
  const found = ['/usr/bin/kcat', '/usr/local/bin/kcat'].find((p) => fs.existsSync(p));
  if (found) return found;
  if (process.getuid?.() === 0) {
    execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq kcat'], { stdio: 'ignore' });
    if (fs.existsSync('/usr/bin/kcat')) return '/usr/bin/kcat';
  }
  throw new Error('kcat is not installed (apt-get install -y kcat), and TEST_KAFKA_BROKERS is not set');
}

/**
 * Starts librdkafka's mock cluster (a real Kafka wire-protocol broker) through kcat and
 * resolves with its bootstrap address, read from kcat's debug output.
 */
export function startKafkaMockBroker(): Promise<KafkaMockBroker> {
  const kcat = ensureKcat();
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      kcat,
      ['-b', '127.0.0.1:1', '-C', '-t', '__keepalive', '-X', 'test.mock.num.brokers=1', '-d', 'mock'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat mock broker did not report its address in 10 s:\n${stderr.slice(-2000)}`));
    }, 10000);
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /bootstrap\.servers=([0-9.:,]+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stderr?.resume(); // keep draining so kcat never blocks on a full pipe
        resolve({
          brokers: match[1],
          pid: child.pid!,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kcat exited with ${code} before the broker started:\n${stderr.slice(-2000)}`));
    });
  });
}
