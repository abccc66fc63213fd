import type { Party } from '../parties/party.ts';
import type { AgreementKind } from '../text/clause-library.ts';
import type { Lang } from '../text/languages.ts';
import type { AgreementVariables, LocalizedText } from './agreement-variables.ts';

/** Areas a new agreement starts with when it continues nothing; legal staff narrow them down. */
const GENERAL_AREAS: readonly LocalizedText[] = [
  { en: 'trade and economic relations', ru: 'торгово-экономические связи', ko: '통상 및 경제 관계' },
  { en: 'science, technology and education', ru: 'наука, технологии и образование', ko: '과학기술 및 교육' },
  { en: 'culture, sport and tourism', ru: 'культура, спорт и туризм', ko: '문화, 체육 및 관광' },
];

/**
 * Pure: the variables of a new agreement, complete enough to go through the workflow unedited.
 * The first party hosts the signature; English, when present, prevails in case of divergence. A
 * binding kind with a Russian party enters into force on the later of the written notifications: a
 * Russian region's agreement with a foreign region is coordinated with the federal bodies and takes
 * effect only after its state registration (Federal Law 4-FZ of 4 January 1999, Government Decree 552
 * of 24 July 2000), which completes the Russian party's notification.
 */
export function defaultVariables(
  kind: AgreementKind,
  parties: readonly Party[],
  languages: readonly Lang[],
  today: Date,
): AgreementVariables {
  return {
    subject: kind.defaultSubject,
    areas: [...GENERAL_AREAS],
    termYears: 5,
    noticeMonths: 6,
    autoRenewal: true,
    entryIntoForce: kind.binding && parties.some((party) => party.language === 'ru') ? 'notifications' : 'signature',
    placeOfSigning: parties[0]!.key,
    signingDate: null,
    prevailingLanguage: languages.includes('en') ? 'en' : null,
    conferenceYear: today.getUTCFullYear() + 1,
    coordinators: Object.fromEntries(parties.map((party) => [party.key, party.names.coordinator])),
    firstSigner: null,
    layout: 'parallel',
  };
}
