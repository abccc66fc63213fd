import type { Party, PersonProfile } from '../parties/party.ts';
import type { Role } from '../../workflows/agreement/agreement.events.ts';
import type { LocalizedText } from '../agreements/agreement-variables.ts';

/**
 * The seed case (shared/seed/sverdlovsk-gyeonggi-2018.txt): Russia's Sverdlovsk Region and South
 * Korea's Gyeonggi Province. Demo mode only; production starts with no parties or users.
 */
export const DEMO_PARTIES: readonly Party[] = [
  {
    key: 'sverdlovsk',
    language: 'ru',
    timeZone: 'Asia/Yekaterinburg',
    names: {
      en: {
        name: 'the Government of Sverdlovsk Region',
        country: 'Russian Federation',
        short: 'Sverdlovsk Region',
        capital: 'Yekaterinburg',
      },
      ru: {
        nom: 'Правительство Свердловской области',
        gen: 'Правительства Свердловской области',
        dat: 'Правительству Свердловской области',
        acc: 'Правительство Свердловской области',
        ins: 'Правительством Свердловской области',
        country: 'Российская Федерация',
        short: 'Свердловская область',
        capital: 'г. Екатеринбурге',
      },
      ko: { name: '스베르들롭스크주 정부', country: '러시아연방', short: '스베르들롭스크주', capital: '예카테린부르크' },
      coordinator: {
        en: 'the Ministry of International and External Economic Relations of Sverdlovsk Region',
        ru: 'Министерство международных и внешнеэкономических связей Свердловской области',
        ko: '스베르들롭스크주 국제대외경제관계부',
      },
    },
  },
  {
    key: 'gyeonggi',
    language: 'ko',
    timeZone: 'Asia/Seoul',
    names: {
      en: { name: 'Gyeonggi Province', country: 'Republic of Korea', short: 'Gyeonggi Province', capital: 'Suwon' },
      ru: {
        nom: 'провинция Кёнгидо',
        gen: 'провинции Кёнгидо',
        dat: 'провинции Кёнгидо',
        acc: 'провинцию Кёнгидо',
        ins: 'провинцией Кёнгидо',
        country: 'Республика Корея',
        short: 'Кёнгидо',
        capital: 'г. Сувоне',
      },
      ko: { name: '경기도', country: '대한민국', short: '경기도', capital: '수원' },
      coordinator: {
        en: 'the International Cooperation Division of the Gyeonggi Provincial Government',
        ru: 'Отдел международного сотрудничества правительства провинции Кёнгидо',
        ko: '경기도청 국제협력과',
      },
    },
  },
];

export interface DemoUser {
  readonly email: string;
  readonly party: string;
  readonly role: Role;
  readonly profile: PersonProfile;
}

/**
 * Per party: legal staff, the approving official and the signatory, who carry an agreement through;
 * an observer, who reads; the administrator, who manages the party's users; and the certifying
 * officer, who certifies copies of the signed texts for registration.
 */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: 'legal@sverdlovsk.example',
    party: 'sverdlovsk',
    role: 'legal',
    profile: {
      name: { en: 'Elena Volkova', ru: 'Елена Волкова', ko: '옐레나 볼코바' },
      title: { en: 'Legal Adviser', ru: 'Юрисконсульт', ko: '법률 고문' },
    },
  },
  {
    email: 'official@sverdlovsk.example',
    party: 'sverdlovsk',
    role: 'official',
    profile: {
      name: { en: 'Dmitry Orlov', ru: 'Дмитрий Орлов', ko: '드미트리 오를로프' },
      title: { en: 'Deputy Minister', ru: 'Заместитель министра', ko: '차관' },
    },
  },
  {
    email: 'signatory@sverdlovsk.example',
    party: 'sverdlovsk',
    role: 'signatory',
    profile: {
      name: { en: 'Andrei Sobolev', ru: 'Андрей Соболев', ko: '안드레이 소볼레프' },
      title: {
        en: 'Minister of International and External Economic Relations of Sverdlovsk Region',
        ru: 'Министр международных и внешнеэкономических связей Свердловской области',
        ko: '스베르들롭스크주 국제대외경제관계부 장관',
      },
    },
  },
  {
    email: 'legal@gyeonggi.example',
    party: 'gyeonggi',
    role: 'legal',
    profile: {
      name: { en: 'Kim Ji-won', ru: 'Ким Чжи Вон', ko: '김지원' },
      title: { en: 'Legal Officer', ru: 'Юрист', ko: '법무담당관' },
    },
  },
  {
    email: 'official@gyeonggi.example',
    party: 'gyeonggi',
    role: 'official',
    profile: {
      name: { en: 'Lee Seung-ho', ru: 'Ли Сын Хо', ko: '이승호' },
      title: { en: 'Director of International Cooperation', ru: 'Директор по международному сотрудничеству', ko: '국제협력국장' },
    },
  },
  {
    email: 'signatory@gyeonggi.example',
    party: 'gyeonggi',
    role: 'signatory',
    profile: {
      name: { en: 'Jeong Eui Park', ru: 'Пак Чжон Ый', ko: '박정의' },
      // The seed's "head of International Relations": the unit the agreements name as Gyeonggi's coordinator.
      title: {
        en: 'Head of the International Cooperation Division, Gyeonggi Provincial Government',
        ru: 'Начальник отдела международного сотрудничества правительства провинции Кёнгидо',
        ko: '경기도청 국제협력과장',
      },
    },
  },
  {
    email: 'observer@sverdlovsk.example',
    party: 'sverdlovsk',
    role: 'observer',
    profile: {
      name: { en: 'Irina Sokolova', ru: 'Ирина Соколова', ko: '이리나 소콜로바' },
      title: { en: 'Analyst', ru: 'Аналитик', ko: '분석관' },
    },
  },
  {
    email: 'admin@sverdlovsk.example',
    party: 'sverdlovsk',
    role: 'admin',
    profile: {
      name: { en: 'Pavel Kuznetsov', ru: 'Павел Кузнецов', ko: '파벨 쿠즈네초프' },
      title: { en: 'System Administrator', ru: 'Системный администратор', ko: '시스템 관리자' },
    },
  },
  {
    email: 'observer@gyeonggi.example',
    party: 'gyeonggi',
    role: 'observer',
    profile: {
      name: { en: 'Choi Min-seo', ru: 'Чхве Мин Со', ko: '최민서' },
      title: { en: 'Policy Analyst', ru: 'Аналитик', ko: '정책분석관' },
    },
  },
  {
    email: 'admin@gyeonggi.example',
    party: 'gyeonggi',
    role: 'admin',
    profile: {
      name: { en: 'Han Seo-yeon', ru: 'Хан Со Ён', ko: '한서연' },
      title: { en: 'System Administrator', ru: 'Системный администратор', ko: '시스템 관리자' },
    },
  },
  {
    email: 'certifying@sverdlovsk.example',
    party: 'sverdlovsk',
    role: 'certifying',
    profile: {
      name: { en: 'Olga Belova', ru: 'Ольга Белова', ko: '올가 벨로바' },
      title: { en: 'Head of the Treaty Registry', ru: 'Начальник отдела учёта договоров', ko: '조약등록과장' },
    },
  },
  {
    email: 'certifying@gyeonggi.example',
    party: 'gyeonggi',
    role: 'certifying',
    profile: {
      name: { en: 'Yoon Ha-eun', ru: 'Юн Ха Ын', ko: '윤하은' },
      title: {
        en: 'Records Officer, International Cooperation Division',
        ru: 'Хранитель документов Отдела международного сотрудничества',
        ko: '국제협력과 기록관',
      },
    },
  },
];

/** The areas of the agreement of cooperation, as the seed lists them. */
export const SEED_AREAS: readonly LocalizedText[] = [
  { en: 'electronics', ru: 'электроника', ko: '전자' },
  { en: 'metallurgical industry', ru: 'металлургическая промышленность', ko: '금속 산업' },
  { en: 'electric power industry', ru: 'электроэнергетика', ko: '전력 산업' },
  { en: 'transport engineering', ru: 'транспортное машиностроение', ko: '운송 엔지니어링' },
  { en: 'manufacturing of medical products', ru: 'производство медицинских изделий', ko: '의료 제품 제조' },
  { en: 'food imports', ru: 'импорт продовольствия', ko: '식품 수입' },
];

/** What the 2012 letter of intent covered: academic programmes and industrial machine tools. */
export const LETTER_OF_INTENT_AREAS: readonly LocalizedText[] = [
  { en: 'academic and educational programmes', ru: 'научные и образовательные программы', ko: '학술 및 교육 프로그램' },
  { en: 'production of industrial machine tools', ru: 'производство промышленных станков', ko: '산업용 공작기계 생산' },
];
