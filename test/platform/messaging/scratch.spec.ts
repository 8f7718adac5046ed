import { KafkaTransport } from '../../../src/platform/messaging/kafka-transport';
import { startKafkaMockBroker } from '../../support/kafka-broker';
import { recordingLogger, uniquePrefix } from './messaging-test-support';

it('probe', async () => {
  const broker = await startKafkaMockBroker();
  const logger = recordingLogger();
  const own = new KafkaTransport({ brokers: [broker.brokers], clientId: 'x', topicPrefix: uniquePrefix() }, logger);
  await own.start();
  let t = Date.now();
  await own.publish('alerts', [{ key: 'k', value: 'before' }]);
  process.kill(broker.pid, 'SIGSTOP');
  for (let i = 0; i < 2; i++) {
    t = Date.now();
    const e = await own.publish('alerts', [{ key: 'k', value: 'after' }]).catch((e) => e);
    console.log('publish', Date.now() - t, e?.message);
  }
  await new Promise((r) => setTimeout(r, 1100));
  t = Date.now();
  console.log('healthy', await own.isHealthy(), Date.now() - t);
  process.kill(broker.pid, 'SIGCONT');
  for (let i = 0; i < 10; i++) {
    t = Date.now();
    const e = await own.publish('alerts', [{ key: 'k', value: 'after' }]).catch((e) => e);
    console.log('publish after resume', Date.now() - t, e?.message);
    if (!e) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 1100));
  console.log('healthy', await own.isHealthy());
  t = Date.now();
  await own.stop();
  console.log('stop', Date.now() - t);
  await broker.stop();
  console.log(logger.entries.filter(e => e.level !== 'debug' && !/Connection error|seed broker/.test(e.msg ?? '')).map((e) => `${e.level} ${e.msg}`).join('\n'));
});
