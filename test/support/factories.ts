import { PriorityEntity } from '../../src/priorities/priority.entity';
import type { TestApp } from './test-app';

let sequence = 0;

/** Creates a donor through the API; returns its id. */
export async function makeDonor(t: TestApp, overrides: Record<string, unknown> = {}): Promise<number> {
  const res = await t.http
    .post('/api/donors')
    .set('authorization', `Bearer ${t.adminToken}`)
    .send({ name: `Donor ${++sequence} ${Date.now()}`, type: 'government', countryCode: 'DK', ...overrides });
  if (res.status !== 201) throw new Error(`makeDonor: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export function pledgeBody(donorId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    donorId,
    title: `Pledge ${++sequence}`,
    kind: 'cash',
    amount: '1000000.00',
    currency: 'USD',
    pledgedOn: '2024-06-03',
    status: 'committed',
    channel: 'direct',
    priorityCodes: ['P01'],
    source: 'test factory',
    ...overrides,
  };
}

/** Creates a pledge through the API; returns the response body. */
export async function makePledge(t: TestApp, donorId: number, overrides: Record<string, unknown> = {}) {
  const res = await t.http.post('/api/pledges').set('authorization', `Bearer ${t.adminToken}`).send(pledgeBody(donorId, overrides));
  if (res.status !== 201) throw new Error(`makePledge: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Loads only what conversions need (EUR/USD and USD/AZN), and the twelve priorities. */
export async function seedReferenceData(t: TestApp): Promise<void> {
  const auth = { authorization: `Bearer ${t.adminToken}` };
  const rates = [
    { base: 'USD', quote: 'AZN', rate: '1.7000', date: '2018-01-01', source: 'Central Bank of Azerbaijan' },
    { base: 'EUR', quote: 'USD', rate: '1.0938', date: '2024-10-11', source: 'ECB' },
    { base: 'EUR', quote: 'USD', rate: '1.0850', date: '2024-01-02', source: 'ECB' },
  ];
  for (const r of rates) {
    const res = await t.http.post('/api/fx-rates').set(auth).send(r);
    if (res.status !== 201) throw new Error(`rate: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const repo = t.dataSource.getRepository(PriorityEntity);
  for (let rank = 1; rank <= 12; rank++) {
    const code = `P${String(rank).padStart(2, '0')}`;
    if (!(await repo.exists({ where: { code } }))) await repo.insert({ code, rank, title: `Priority ${rank}`, description: 'test', source: null });
  }
}
