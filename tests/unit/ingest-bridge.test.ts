import { describe, expect, it } from 'vitest';
import { expose } from 'comlink';
import { WorkerBridge } from '../../src/lib/worker-bridge.ts';

interface SlowApi {
  work(ms: number): Promise<string>;
  cancel(): void;
}

/** A comlink endpoint standing in for a Worker (a MessageChannel), counting terminations. */
function fakeWorkers(stuck: boolean) {
  const made: { terminated: boolean }[] = [];
  const create = () => {
    const { port1, port2 } = new MessageChannel();
    let cancel: (() => void) | null = null;
    const api: SlowApi = {
      work: (ms) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => resolve('finished'), ms);
          cancel = () => {
            if (stuck) return; // a worker that does not listen
            clearTimeout(timer);
            reject(new Error('cancelled by the worker'));
          };
        }),
      cancel: () => cancel?.(),
    };
    expose(api, port1);
    const record = { terminated: false };
    made.push(record);
    return Object.assign(port2, {
      terminate() {
        record.terminated = true;
        port1.close();
        port2.close();
      },
    }) as unknown as Worker;
  };
  return { create, made };
}

describe('worker bridge', () => {
  it('creates the worker once and keeps its proxy', async () => {
    const { create, made } = fakeWorkers(false);
    const bridge = new WorkerBridge<SlowApi>(create);
    expect(await bridge.call(undefined, (api) => api.work(1))).toBe('finished');
    expect(await bridge.call(undefined, (api) => api.work(1))).toBe('finished');
    expect(made).toHaveLength(1);
    bridge.terminate();
  });

  it('asks the worker to cancel when the signal aborts', async () => {
    const { create, made } = fakeWorkers(false);
    const bridge = new WorkerBridge<SlowApi>(create, { cancel: (api) => api.cancel(), graceMs: 1000 });
    const controller = new AbortController();
    const call = bridge.call(controller.signal, (api) => api.work(10_000));
    setTimeout(() => controller.abort(), 20);
    await expect(call).rejects.toThrow('cancelled by the worker');
    expect(made[0]!.terminated).toBe(false);
    bridge.terminate();
  });

  it('terminates a worker that does not stop in time, and starts a fresh one for the next call', async () => {
    const { create, made } = fakeWorkers(true);
    const bridge = new WorkerBridge<SlowApi>(create, { cancel: (api) => api.cancel(), graceMs: 50 });
    const controller = new AbortController();
    const call = bridge.call(controller.signal, (api) => api.work(10_000));
    setTimeout(() => controller.abort(), 20);
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(made[0]!.terminated).toBe(true);
    expect(await bridge.call(undefined, (api) => api.work(1))).toBe('finished');
    expect(made).toHaveLength(2);
    bridge.terminate();
  });

  it('refuses a call whose signal is already aborted', async () => {
    const bridge = new WorkerBridge<SlowApi>(fakeWorkers(false).create);
    await expect(bridge.call(AbortSignal.abort(), (api) => api.work(1))).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('worker bridge when the worker dies', () => {
  it('fails the calls in flight instead of leaving them pending, then restarts', async () => {
    const ports: MessagePort[] = [];
    let made = 0;
    const bridge = new WorkerBridge<SlowApi>(() => {
      made++;
      const { port1, port2 } = new MessageChannel();
      expose({ work: () => new Promise(() => undefined), cancel() {} } satisfies SlowApi, port1);
      ports.push(port2);
      return Object.assign(port2, { terminate: () => port2.close() }) as unknown as Worker;
    });
    const call = bridge.call(undefined, (api) => api.work(1));
    const errorEvent = Object.assign(new Event('error'), { message: 'out of memory' });
    ports[0]!.dispatchEvent(errorEvent);
    await expect(call).rejects.toThrow(/The background worker stopped \(out of memory\)/);
    void bridge.call(undefined, (api) => api.work(1)).catch(() => undefined);
    expect(made).toBe(2);
    bridge.terminate();
  });
});
