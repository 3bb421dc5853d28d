import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { DomainError, FieldProblem, NotFoundError } from '../common/errors/domain-errors';
import { DONOR_TYPES } from '../donors/donor.entity';
import { DonorsService } from '../donors/donors.service';
import { ContactDto, CreateDonorDto, UpdateContactDto, UpdateDonorDto } from '../donors/dto';
import { idempotencyContext } from '../idempotency/idempotency.service';
import { dtoProblems } from './dto-problems';
import { errorsByField, withFieldIds } from './form-errors';
import type { FormOutcome } from './pledge-pages.service';
import { single } from './form-fields';

/** Where the donor form may send the officer back: only the new-pledge form, with the fields it carried. */
function pledgeReturnPath(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 8000 && /^\/pledges\/new(\?[\x21-\x7e]*)?$/.test(value) ? value : null;
}

export const DONOR_TYPE_LABELS: Record<(typeof DONOR_TYPES)[number], string> = {
  government: 'Government',
  multilateral: 'Multilateral (EU, UN…)',
  ngo: 'NGO',
  foundation: 'Foundation',
  private: 'Private',
};

const DISPLAY_CURRENCIES = ['USD', 'EUR', 'AZN'];

interface DonorForm {
  name: string;
  type: string;
  countryCode: string;
  iatiOrgId: string;
  displayCurrency: string;
  notes: string;
  source: string;
  active: string;
  contactName: string;
  contactEmail: string;
  returnTo: string;
  idempotencyKey: string;
}

function readDonorForm(body: Record<string, unknown>): DonorForm {
  return {
    name: single(body.name, 201).trim(),
    type: single(body.type, 16),
    countryCode: single(body.countryCode, 10).trim().toUpperCase(),
    iatiOrgId: single(body.iatiOrgId, 101).trim(),
    displayCurrency: single(body.displayCurrency, 3),
    notes: single(body.notes, 4001).trim(),
    source: single(body.source, 1001).trim(),
    active: single(body.active, 3) === 'yes' ? 'yes' : '',
    contactName: single(body.contactName, 201).trim(),
    contactEmail: single(body.contactEmail, 255).trim(),
    returnTo: pledgeReturnPath(body.returnTo) ?? '',
    idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
  };
}

/** Problems of a nested contact named the way the form names its fields. */
function contactFieldsOfForm(problems: FieldProblem[]): FieldProblem[] {
  return problems.map((p) => (p.field.startsWith('contacts.0.') ? { ...p, field: `contact${p.field[11].toUpperCase()}${p.field.slice(12)}` } : p));
}

/** Donors and their contacts from the browser: create (also from inside the new-pledge form), edit, deactivate. */
@Injectable()
export class DonorsPagesService {
  constructor(private readonly donors: DonorsService) {}

  private choices() {
    return { types: DONOR_TYPES.map((t) => ({ value: t, label: DONOR_TYPE_LABELS[t] })), currencies: DISPLAY_CURRENCIES };
  }

  newDonorPage(returnTo: unknown, form: DonorForm | null = null, problems: FieldProblem[] = []) {
    return {
      title: 'Add a donor',
      ...this.choices(),
      form: form ?? { ...readDonorForm({}), type: 'government', displayCurrency: 'USD', active: 'yes', returnTo: pledgeReturnPath(returnTo) ?? '' },
      fromPledge: (pledgeReturnPath(returnTo) ?? form?.returnTo ?? '') !== '',
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
    };
  }

  /**
   * Creates a donor, with a first contact when one is typed. Opened from the new-pledge form
   * (`returnTo`), it goes back there with the new donor chosen; the form's other fields come back
   * with it, as the pledge form kept them in the return address.
   */
  async createDonor(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = readDonorForm(body);
    const contact = form.contactEmail || form.contactName ? [{ email: form.contactEmail, name: form.contactName || null }] : undefined;
    const request = {
      name: form.name,
      type: form.type,
      countryCode: form.countryCode || null,
      iatiOrgId: form.iatiOrgId || null,
      displayCurrency: form.displayCurrency,
      notes: form.notes || null,
      source: form.source || null,
      ...(contact ? { contacts: contact } : {}),
    };
    const { problems } = await dtoProblems(CreateDonorDto, request);
    let status = 400;
    if (!problems.length) {
      try {
        const idem = idempotencyContext(actor, form.idempotencyKey, 'POST /donors/new', request);
        const created = await this.donors.create(actor, request as CreateDonorDto, idem);
        if (form.returnTo) {
          const back = new URL(form.returnTo, 'http://local');
          back.searchParams.set('donorId', String(created.body.id));
          return { redirectTo: `${back.pathname}${back.search}` };
        }
        return { redirectTo: `/donors/${created.body.id}?saved=1` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'name', message: error.message }]));
      }
    }
    return { status, view: 'donors/new', page: this.newDonorPage(form.returnTo, form, contactFieldsOfForm(problems)) };
  }

  async editDonorPage(actor: Actor, id: number, form: DonorForm | null = null, problems: FieldProblem[] = []) {
    const donor = await this.donors.get(actor, id);
    return {
      title: `Edit ${donor.name}`,
      donor,
      ...this.choices(),
      form: form ?? {
        ...readDonorForm({}),
        name: donor.name,
        type: donor.type,
        countryCode: donor.countryCode ?? '',
        iatiOrgId: donor.iatiOrgId ?? '',
        displayCurrency: donor.displayCurrency,
        notes: donor.notes ?? '',
        source: donor.source ?? '',
        active: donor.active ? 'yes' : '',
      },
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
    };
  }

  async updateDonor(actor: Actor, id: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = readDonorForm(body);
    const request = {
      name: form.name,
      type: form.type,
      countryCode: form.countryCode || null,
      iatiOrgId: form.iatiOrgId || null,
      displayCurrency: form.displayCurrency,
      notes: form.notes || null,
      source: form.source || null,
      active: form.active === 'yes',
    };
    const { problems } = await dtoProblems(UpdateDonorDto, request);
    let status = 400;
    if (!problems.length) {
      try {
        await this.donors.update(actor, id, request as UpdateDonorDto);
        return { redirectTo: `/donors/${id}?saved=1` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'name', message: error.message }]));
      }
    }
    return { status, view: 'donors/edit', page: await this.editDonorPage(actor, id, form, problems) };
  }

  async addContact(actor: Actor, donorId: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = this.readContactForm(body);
    const request = { name: form.name || null, email: form.email, language: form.language || null, digestEnabled: form.digestEnabled === 'yes' };
    const { problems } = await dtoProblems(ContactDto, request);
    let status = 400;
    if (!problems.length) {
      try {
        await this.donors.addContact(actor, donorId, request, idempotencyContext(actor, form.idempotencyKey, `POST /donors/${donorId}/contacts`, request));
        return { redirectTo: `/donors/${donorId}?contact=added#contacts-heading` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'email', message: error.message }]));
      }
    }
    return { status, view: 'donors/contact', page: await this.contactPage(actor, donorId, null, form, problems) };
  }

  async contactPage(actor: Actor, donorId: number, contactId: number | null, form: Record<string, string> | null = null, problems: FieldProblem[] = []) {
    const donor = await this.donors.get(actor, donorId);
    const contact = contactId === null ? null : donor.contacts.find((c) => c.id === contactId);
    if (contactId !== null && !contact) throw new NotFoundError('Contact', contactId);
    return {
      title: contact ? `Edit contact of ${donor.name}` : `Add a contact to ${donor.name}`,
      donor,
      contact: contact ?? null,
      action: contact ? `/donors/${donorId}/contacts/${contact.id}/edit` : `/donors/${donorId}/contacts`,
      form: form ?? {
        name: contact?.name ?? '',
        email: contact?.email ?? '',
        language: contact?.language ?? '',
        digestEnabled: !contact || contact.digestEnabled ? 'yes' : '',
        idempotencyKey: randomUUID(),
      },
      unsubscribed: !!contact?.unsubscribedAt,
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
    };
  }

  async updateContact(actor: Actor, donorId: number, contactId: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = this.readContactForm(body);
    const request = { name: form.name || null, email: form.email, language: form.language || null, digestEnabled: form.digestEnabled === 'yes' };
    const { problems } = await dtoProblems(UpdateContactDto, request);
    let status = 400;
    if (!problems.length) {
      try {
        await this.donors.updateContact(actor, donorId, contactId, request);
        return { redirectTo: `/donors/${donorId}?contact=saved#contacts-heading` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'email', message: error.message }]));
      }
    }
    return { status, view: 'donors/contact', page: await this.contactPage(actor, donorId, contactId, form, problems) };
  }

  async removeContact(actor: Actor, donorId: number, contactId: number): Promise<FormOutcome> {
    await this.donors.removeContact(actor, donorId, contactId);
    return { redirectTo: `/donors/${donorId}?contact=removed#contacts-heading` };
  }

  private readContactForm(body: Record<string, unknown>) {
    return {
      name: single(body.name, 201).trim(),
      email: single(body.email, 255).trim(),
      language: single(body.language, 13).trim(),
      digestEnabled: single(body.digestEnabled, 3) === 'yes' ? 'yes' : '',
      idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
    };
  }
}
