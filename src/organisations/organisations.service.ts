import { Injectable, Logger } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { NotFoundError } from '../common/errors/domain-errors';
import { type BootstrapOrganisation, DEFAULT_ORGANISATION } from '../config/app-config';
import { type Transaction, UnitOfWork } from '../database/unit-of-work';
import type { OrganisationEntity, OrganisationStatus } from './organisation.entity';
import { OrganisationsRepository } from './organisations.repository';

/** What the API shows of an organisation. */
export interface OrganisationView {
  id: number;
  name: string;
  shortName: string;
  countryCode: string;
  /** The country's English name (from the runtime's ICU data), or the code when it has none. */
  countryName: string;
  currency: string;
  status: OrganisationStatus;
  createdAt: string;
}

/**
 * The national mine action authorities a deployment serves (issue 19; docs/organisations.md). This
 * step names them and ties each user to one; the ledger's tables follow in later steps.
 */
@Injectable()
export class OrganisationsService {
  private readonly logger = new Logger('Organisations');
  /** Each organisation's view once read: every page's layout names the reader's, and nothing changes one yet. */
  private readonly views = new Map<number, Promise<OrganisationView | null>>();

  constructor(
    private readonly organisations: OrganisationsRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** The caller's own organisation. */
  async current(actor: Actor): Promise<OrganisationView> {
    const organisation = await this.of(actor);
    if (!organisation) throw new NotFoundError('Organisation', 'of this user');
    return organisation;
  }

  /** The actor's organisation, or null for an actor that belongs to none. */
  of(actor: Actor): Promise<OrganisationView | null> {
    const id = actor.organisationId;
    if (id === null) return Promise.resolve(null);
    let view = this.views.get(id);
    if (!view) {
      view = this.organisations.findById(id).then((o) => {
        if (!o) this.views.delete(id);
        return o ? toView(o) : null;
      });
      this.views.set(id, view);
      view.catch(() => this.views.delete(id));
    }
    return view;
  }

  /**
   * The organisation the first admin belongs to, at first start (no user exists yet): the one
   * organisation already there (an upgraded database whose ledger had no user), or a new one
   * named by the configuration. With several, which one is not the configuration's to say.
   */
  async ensureFirst(tx: Transaction, identity: BootstrapOrganisation): Promise<number> {
    const existing = await this.organisations.all(tx);
    if (existing.length > 1)
      throw new Error(`${existing.length} organisations exist but no user: which one the first admin belongs to is not the configuration's to say`);
    if (existing.length === 1) return existing[0].id;
    const created = await this.organisations.insert(tx, identity);
    this.logger.log(`Created organisation ${created.shortName} (${created.name}, ${created.countryCode}, ${created.currency})`);
    return created.id;
  }

  /**
   * The organisation of a deployment that serves one, for the work no signed-in user asks for
   * (digests and their unsubscribe pages). Donors do not carry their organisation yet (step 2 of
   * docs/organisations.md), so this is the one there is; no route creates a second one yet.
   */
  async ofDeployment(): Promise<OrganisationView> {
    const all = await this.organisations.all();
    if (all.length !== 1) throw new Error(`${all.length} organisations exist: digests cannot yet tell which one a donor belongs to`);
    return toView(all[0]);
  }

  /**
   * The organisation the report's data (`SEED=true`, `npm run cli -- seed`) loads into: ANAMA's,
   * whose report it is. In a database with no organisation yet it is created, as the first start
   * would. A deployment whose organisation is another authority's refuses the seed rather than
   * put ANAMA's ledger in it.
   */
  async forSeed(): Promise<number> {
    return this.uow.transaction(async (tx) => {
      const anama = await this.organisations.findByNames(tx, DEFAULT_ORGANISATION.name, DEFAULT_ORGANISATION.shortName);
      if (anama) return anama.id;
      const all = await this.organisations.all(tx);
      if (all.length > 0) {
        throw new Error(`The seed is ANAMA's report (seeds/README.md), and this deployment serves ${all.map((o) => o.shortName).join(', ')}: set SEED=false`);
      }
      return (await this.organisations.insert(tx, DEFAULT_ORGANISATION)).id;
    });
  }

  /** For the command line: the organisation with this short name, or the only one when none is named. */
  async forCommandLine(shortName: string | undefined): Promise<number> {
    return this.uow.transaction(async (tx) => {
      if (shortName !== undefined) {
        const named = await this.organisations.findByNames(tx, shortName, shortName);
        if (!named) throw new NotFoundError('Organisation', shortName);
        return named.id;
      }
      const all = await this.organisations.all(tx);
      if (all.length !== 1) throw new Error(`${all.length} organisations exist: name one with --organisation <short name>`);
      return all[0].id;
    });
  }
}

const REGIONS = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

function toView(o: OrganisationEntity): OrganisationView {
  return {
    id: o.id,
    name: o.name,
    shortName: o.shortName,
    countryCode: o.countryCode,
    countryName: REGIONS.of(o.countryCode) ?? o.countryCode,
    currency: o.currency,
    status: o.status,
    createdAt: o.createdAt.toISOString(),
  };
}
