import type { Actor } from '../access/actor';
import { DomainError, type FieldProblem } from '../common/errors/domain-errors';
import { idempotencyContext, type IdempotencyContext } from '../idempotency/idempotency.service';
import { dtoProblems } from './dto-problems';

export type SubmitResult = { ok: true } | { ok: false; status: number; problems: FieldProblem[] };

/**
 * A form that records one figure: the request checked with the API's own DTO (the same rules and
 * messages), the write run under the form's Idempotency-Key, and a refusal turned into problems
 * beside their fields (one without a field is shown beside `fieldless`). Any other error is thrown.
 */
export async function submitRecordForm<T extends object>(args: {
  actor: Actor;
  /** The form's route, part of the Idempotency-Key's scope (`POST /national/spend`). */
  route: string;
  idempotencyKey: string;
  dto: new () => T;
  request: Record<string, unknown>;
  work: (idem: IdempotencyContext | null) => Promise<unknown>;
  fieldless?: string;
}): Promise<SubmitResult> {
  const { problems } = await dtoProblems(args.dto, args.request);
  if (problems.length) return { ok: false, status: 400, problems };
  try {
    await args.work(idempotencyContext(args.actor, args.idempotencyKey, args.route, args.request));
    return { ok: true };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return {
      ok: false,
      status: error.status,
      problems: error.details.length ? error.details : [{ field: args.fieldless ?? 'source', message: error.message }],
    };
  }
}
