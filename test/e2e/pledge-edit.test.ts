import 'reflect-metadata';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { AuditEntryEntity } from '../../src/audit/audit-entry.entity';
import { PledgePriorityEntity } from '../../src/ledger/pledge.entity';
import { makeDonor, makePledge, seedReferenceData } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { makeUser, signInWeb } from './web-support';

describe("editing a pledge's description (PATCH /api/pledges/:id and /pledges/:id/edit)", () => {
  let t: TestApp;
  let donorId: number;
  let officerToken: string;
  let leadershipToken: string;
  let officer: { email: string; password: string };

  async function tokenOf(role: 'officer' | 'leadership') {
    const user = await makeUser(t, role);
    const login = await t.http.post('/api/auth/login').send({ email: user.email, password: user.password });
    return { user, token: login.body.token as string };
  }

  const patch = (id: number, body: Record<string, unknown>, token = officerToken) =>
    t.http.patch(`/api/pledges/${id}`).set('authorization', `Bearer ${token}`).send(body);
  const updatesOf = (id: number) =>
    t.dataSource.getRepository(AuditEntryEntity).count({ where: { entityType: 'pledge', entityId: String(id), action: 'pledge.update' } });

  beforeAll(async () => {
    t = await createTestApp();
    await seedReferenceData(t);
    donorId = await makeDonor(t, { name: 'Norway' });
    const o = await tokenOf('officer');
    officer = o.user;
    officerToken = o.token;
    leadershipToken = (await tokenOf('leadership')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  it('changes title, commitment and earmarks, and the history shows before and after', async () => {
    const pledge = await makePledge(t, donorId, { title: 'Demining support', status: 'announced', priorityCodes: ['P01'] });
    const res = await patch(pledge.id, {
      title: '  Demining support in Fuzuli  ',
      status: 'committed',
      priorityCodes: ['P02', 'P05'],
      priorityShares: ['70', '30'],
      notes: 'letter of 2 June',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: pledge.id,
      title: 'Demining support in Fuzuli',
      commitment: 'committed',
      status: 'committed',
      priorityCodes: ['P02', 'P05'],
      priorityShares: ['70.00', '30.00'],
      notes: 'letter of 2 June',
      amount: '1000000.00',
      currency: 'USD',
    });
    const earmarks = await t.dataSource.getRepository(PledgePriorityEntity).find({ where: { pledgeId: pledge.id }, order: { priorityCode: 'ASC' } });
    expect(earmarks.map((e) => [e.priorityCode, e.shareBasisPoints])).toEqual([
      ['P02', 7000],
      ['P05', 3000],
    ]);

    const detail = await t.http.get(`/api/pledges/${pledge.id}`).set('authorization', `Bearer ${officerToken}`);
    const update = detail.body.history.find((h: { action: string }) => h.action === 'pledge.update');
    expect(update.actorEmail).toBe(officer.email);
    expect(update.before).toMatchObject({ title: 'Demining support', commitment: 'announced', priorityCodes: ['P01'], priorityShares: null, notes: null });
    expect(update.after).toMatchObject({
      title: 'Demining support in Fuzuli',
      commitment: 'committed',
      priorityCodes: ['P02', 'P05'],
      priorityShares: ['70.00', '30.00'],
      notes: 'letter of 2 June',
    });

    const same = await patch(pledge.id, { title: 'Demining support in Fuzuli' });
    expect(same.status).toBe(200);
    expect(await updatesOf(pledge.id)).toBe(1);
  });

  it('refuses money fields with a 400 naming the field, and writes nothing', async () => {
    const pledge = await makePledge(t, donorId, { title: 'Money stays' });
    const res = await patch(pledge.id, { title: 'Money changed', amount: '2000000.00' });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      {
        field: 'amount',
        message:
          'amount cannot be changed: records are never rewritten, so correct an amount by cancelling the pledge with a reason and recording a new pledge',
      },
    ]);
    for (const field of ['currency', 'kind', 'inKind']) {
      const other = await patch(pledge.id, { [field]: field === 'inKind' ? { quantity: 2, unit: 'dogs' } : 'EUR' });
      expect(other.status).toBe(400);
      expect(other.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    const unknown = await patch(pledge.id, { donorId: 7 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details.map((d: { field: string }) => d.field)).toEqual(['donorId']);
    const stored = await t.http.get(`/api/pledges/${pledge.id}`).set('authorization', `Bearer ${officerToken}`);
    expect([stored.body.title, stored.body.amount]).toEqual(['Money stays', '1000000.00']);
    expect(await updatesOf(pledge.id)).toBe(0);
  });

  it('refuses a cancelled pledge (422), an unknown priority (422), a date without a rate (422), and leadership (403)', async () => {
    const cancelled = await makePledge(t, donorId);
    await t.http.post(`/api/pledges/${cancelled.id}/cancel`).set('authorization', `Bearer ${officerToken}`).send({ reason: 'Donor withdrew it' });
    const onCancelled = await patch(cancelled.id, { title: 'Too late' });
    expect(onCancelled.status).toBe(422);
    expect(onCancelled.body.details.map((d: { field: string }) => d.field)).toEqual(['pledge']);

    const pledge = await makePledge(t, donorId, { title: 'Euro pledge', amount: '500000.00', currency: 'EUR', pledgedOn: '2024-10-14' });
    const unknownPriority = await patch(pledge.id, { priorityCodes: ['P01', 'P99'] });
    expect(unknownPriority.status).toBe(422);
    expect(unknownPriority.body.details).toEqual([{ field: 'priorityCodes', message: 'unknown priority code(s): P99' }]);

    const noRate = await patch(pledge.id, { pledgedOn: '2023-06-01' });
    expect(noRate.status).toBe(422);
    expect(noRate.body.details.map((d: { field: string }) => d.field)).toEqual(['pledgedOn']);
    const earlierWithRate = await patch(pledge.id, { pledgedOn: '2024-03-01' });
    expect(earlierWithRate.status).toBe(200);
    expect(earlierWithRate.body.valueDate).toBe('2024-03-01');

    const leadership = await patch(pledge.id, { title: 'Not allowed' }, leadershipToken);
    expect(leadership.status).toBe(403);
    const missing = await patch(999999, { title: 'Nobody' });
    expect(missing.status).toBe(404);
    expect(await updatesOf(pledge.id)).toBe(1);
    expect(await updatesOf(cancelled.id)).toBe(0);
  });

  it('edits through the web form: current values shown, errors beside the field with typed values kept, then saved', async () => {
    const pledge = await makePledge(t, donorId, { title: 'Dogs for Aghdam', status: 'announced', priorityCodes: ['P03'], instrument: 'Letter' });
    const session = await signInWeb(t, officer.email, officer.password);
    const detail = await session.get(`/pledges/${pledge.id}`);
    expect(detail.text).toContain(`<a href="/pledges/${pledge.id}/edit">Edit</a>`);

    const form = await session.get(`/pledges/${pledge.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="_csrf"');
    expect(form.text).toContain('id="title" name="title" value="Dogs for Aghdam"');
    expect(form.text).toContain('id="instrument" name="instrument" value="Letter"');
    expect(form.text).toMatch(/id="priority-P03" name="priorityCodes" value="P03" checked/);
    expect(form.text).toMatch(/id="status-announced" name="status" value="announced" checked/);
    expect(form.text.match(/class="button--primary"/g)).toHaveLength(1);

    const typed = {
      title: 'ab',
      status: 'committed',
      channel: 'direct',
      pledgedOn: '2024-06-03',
      priorityCodes: ['P03', 'P04'],
      instrument: 'Signed memorandum',
      source: 'test factory',
    };
    const bad = await session.post(`/pledges/${pledge.id}/edit`, typed);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<span class="field__error" id="title-error">Give the pledge a title of at least 3 characters</span>');
    expect(bad.text).toContain('id="title" name="title" value="ab"');
    expect(bad.text).toContain('value="Signed memorandum"');
    expect(bad.text).toMatch(/id="priority-P04" name="priorityCodes" value="P04" checked/);
    expect(bad.text).toMatch(/id="status-committed" name="status" value="committed" checked/);
    expect(await updatesOf(pledge.id)).toBe(0);

    const ok = await session.post(`/pledges/${pledge.id}/edit`, { ...typed, title: 'Mine detection dogs for Aghdam' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/pledges/${pledge.id}?recorded=edit`);
    const shown = await session.get(ok.headers.location);
    expect(shown.text).toContain('Pledge updated.');
    expect(shown.text).toContain('<h1>Mine detection dogs for Aghdam</h1>');
    expect(shown.text).toContain('<dt>Priorities</dt><dd>P03, P04</dd>');
    expect(shown.text).toContain('<dt>Instrument</dt><dd>Signed memorandum</dd>');
    expect(shown.text).toContain('Pledge changed');
    expect(await updatesOf(pledge.id)).toBe(1);

    await t.http.post(`/api/pledges/${pledge.id}/cancel`).set('authorization', `Bearer ${officerToken}`).send({ reason: 'Donor withdrew it' });
    expect((await session.get(`/pledges/${pledge.id}`)).text).not.toContain(`/pledges/${pledge.id}/edit`);
    const refused = await session.post(`/pledges/${pledge.id}/edit`, { ...typed, title: 'After cancelling' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(`pledge ${pledge.id} was cancelled: a cancelled pledge cannot be edited`);
    expect(await updatesOf(pledge.id)).toBe(1);
  });
});
