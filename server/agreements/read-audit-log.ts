import { listAuditEntries, type AuditEntry } from '../../db/repositories/audit.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadVisibleAgreement } from './load-agreement.ts';

/** The audit log of an agreement the user may see, oldest first. Reads only; 404 for an agreement the user may not see. */
export async function readAuditLog(deps: UseCaseDeps, user: User, agreementId: number): Promise<AuditEntry[]> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  return listAuditEntries(deps.db, record.id);
}
