import type { Knex } from 'knex';
import * as createCoreTables from './20261128000000_create_core_tables.ts';
import * as addLifecycle from './20261128010000_add_lifecycle.ts';
import * as addAccounts from './20261128020000_add_accounts.ts';
import * as addSigningCredentials from './20261128030000_add_signing_credentials.ts';
import * as retireTrustAnchors from './20261201010000_retire_trust_anchors.ts';
import * as scopeApiTokens from './20261201020000_scope_api_tokens.ts';
import * as shareClauseTexts from './20261201030000_share_clause_texts.ts';
import * as addAgreementSearch from './20261201120000_add_agreement_search.ts';
import * as addMailOutbox from './20261201110000_add_mail_outbox.ts';
import * as addSuggestions from './20261201100000_add_suggestions.ts';
import * as addSecondFactor from './20261201110100_add_second_factor.ts';
import * as addIntendedDifferences from './20261201140000_add_intended_differences.ts';
import * as addCalendarFeedsAndRegistrations from './20261201170000_add_calendar_feeds_and_registrations.ts';
import * as addSingleSignOn from './20261201150000_add_single_sign_on.ts';
import * as addCertificateRevocations from './20261201160000_add_certificate_revocations.ts';
import * as addSsoLogout from './20261202130000_add_sso_logout.ts';
import * as addTimeZones from './20261202150000_add_time_zones.ts';
import * as addObligations from './20261202140000_add_obligations.ts';
import * as addSignedAt from './20261202160000_add_signed_at.ts';
import * as completeAgreementTitles from './20261202170000_complete_agreement_titles.ts';

/**
 * Migrations listed in code rather than discovered on disk, so they run the same under tsx, a bundler
 * or compiled output. Append new ones at the end; never rename or reorder.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261128000000_create_core_tables': createCoreTables,
  '20261128010000_add_lifecycle': addLifecycle,
  '20261128020000_add_accounts': addAccounts,
  '20261128030000_add_signing_credentials': addSigningCredentials,
  '20261201010000_retire_trust_anchors': retireTrustAnchors,
  '20261201020000_scope_api_tokens': scopeApiTokens,
  '20261201030000_share_clause_texts': shareClauseTexts,
  '20261201120000_add_agreement_search': addAgreementSearch,
  '20261201110000_add_mail_outbox': addMailOutbox,
  '20261201100000_add_suggestions': addSuggestions,
  '20261201110100_add_second_factor': addSecondFactor,
  '20261201140000_add_intended_differences': addIntendedDifferences,
  '20261201170000_add_calendar_feeds_and_registrations': addCalendarFeedsAndRegistrations,
  '20261201150000_add_single_sign_on': addSingleSignOn,
  '20261201160000_add_certificate_revocations': addCertificateRevocations,
  '20261202130000_add_sso_logout': addSsoLogout,
  '20261202150000_add_time_zones': addTimeZones,
  '20261202140000_add_obligations': addObligations,
  '20261202160000_add_signed_at': addSignedAt,
  '20261202170000_complete_agreement_titles': completeAgreementTitles,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
