import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';

/**
 * A strict check of an Akoma Ntoso 3.0 document against the part of the OASIS schema (akomantoso30.xsd)
 * that Bilateral's export uses. The XSD itself ships in no npm package this project may install and
 * nothing may be downloaded at run time, so the content models of these elements are transcribed here
 * from the schema: each element's children, in the schema's order, and its required attributes. An
 * element outside this list, a child out of order or a missing required attribute is a problem.
 */
export const AKN_NAMESPACE = 'http://docs.oasis-open.org/legaldocml/ns/akn/3.0';

/** The FRBR core properties every FRBRWork, FRBRExpression and FRBRManifestation starts with. */
const CORE = 'FRBRthis( FRBRuri)+( FRBRalias)*( FRBRdate)+( FRBRauthor)+( FRBRcomponentInfo)?( preservation)?';
const BLOCKS = '(p|blockList|blockContainer|ul|ol|table|tblock|foreign|block)';

/** Element -> the regular expression its children's names, space-separated, must match. */
const CONTENT: Record<string, RegExp> = {
  akomaNtoso: /^(act|bill|doc|statement)( components)?$/,
  act: /^meta( coverPage)?( preface)?( preamble)? body( conclusions)?( attachments)?( components)?$/,
  meta: /^identification( publication)?( classification)*( lifecycle)*( workflow)*( analysis)*( temporalData)*( references)*( notes)*( proprietary)*( presentation)*$/,
  identification: /^FRBRWork FRBRExpression FRBRManifestation( FRBRItem)?$/,
  FRBRWork: new RegExp(`^${CORE}( FRBRcountry)+( FRBRsubtype)?( FRBRnumber)*( FRBRname)*( FRBRprescriptive)?( FRBRauthoritative)?$`),
  FRBRExpression: new RegExp(
    `^${CORE}( FRBRversionNumber)?( FRBRauthoritative)?( FRBRmasterExpression)?( FRBRlanguage)+( FRBRtranslation)*$`,
  ),
  FRBRManifestation: new RegExp(`^${CORE}( FRBRformat)?( FRBRportion)?$`),
  references:
    /^(TLCOrganization|TLCPerson|TLCRole|TLCLocation|TLCConcept|TLCReference|original|passiveRef|activeRef)( (TLCOrganization|TLCPerson|TLCRole|TLCLocation|TLCConcept|TLCReference|original|passiveRef|activeRef))*$/,
  preface: new RegExp(`^((longTitle|container|${BLOCKS})( |$))+$`),
  longTitle: new RegExp(`^(${BLOCKS}( |$))+$`),
  preamble: new RegExp(`^((formula|citations|recitals|container|${BLOCKS})( |$))+$`),
  body: /^((article|chapter|part|section|title|book|hcontainer)( |$))+$/,
  article: /^(num )?(heading )?(subheading )?(content|(intro )?((paragraph|hcontainer)( |$))+( wrapUp)?)$/,
  paragraph: /^(num )?(heading )?(subheading )?(content|(intro )?((subparagraph|list|hcontainer)( |$))+( wrapUp)?)$/,
  content: new RegExp(`^(${BLOCKS}( |$))+$`),
  blockList: /^(listIntroduction )?(item( |$))+( listWrapUp)?$/,
  item: new RegExp(`^(num )?(${BLOCKS}( |$))+$`),
  conclusions: new RegExp(`^((container|${BLOCKS})( |$))+$`),
  // Inline content: text only, as Bilateral writes it.
  p: /^$/,
  num: /^$/,
  // Value elements: empty, the value in attributes.
  FRBRthis: /^$/,
  FRBRuri: /^$/,
  FRBRdate: /^$/,
  FRBRauthor: /^$/,
  FRBRcountry: /^$/,
  FRBRlanguage: /^$/,
  FRBRauthoritative: /^$/,
  TLCOrganization: /^$/,
};

/** Element -> attributes the schema requires on it. */
const REQUIRED: Record<string, readonly string[]> = {
  act: ['name'],
  identification: ['source'],
  references: ['source'],
  proprietary: ['source'],
  FRBRthis: ['value'],
  FRBRuri: ['value'],
  FRBRdate: ['date', 'name'],
  FRBRauthor: ['href'],
  FRBRcountry: ['value'],
  FRBRlanguage: ['language'],
  FRBRauthoritative: ['value'],
  TLCOrganization: ['eId', 'href', 'showAs'],
  article: ['eId'],
  paragraph: ['eId'],
};

/** `boolean` attributes of these elements hold only `true` or `false`. */
const BOOLEAN_VALUE = new Set(['FRBRauthoritative']);

const children = (element: XmlElement): XmlElement[] =>
  Array.from(element.childNodes).filter((node): node is XmlElement => node.nodeType === 1) as XmlElement[];

/** Parses the document (a parse error throws) and lists every way it departs from the schema's subset. */
export function akomaNtosoProblems(xml: string): { document: XmlElement; problems: string[] } {
  const problems: string[] = [];
  const document = new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  }).parseFromString(xml, 'application/xml').documentElement!;
  const eIds = new Set<string>();
  const visit = (element: XmlElement, path: string) => {
    const name = element.localName!;
    const here = `${path}/${name}`;
    if (element.namespaceURI !== AKN_NAMESPACE) {
      problems.push(`${here}: not in the Akoma Ntoso namespace`);
      return;
    }
    const model = CONTENT[name];
    if (name === 'proprietary') {
      // Any content, of another namespace only.
      for (const child of children(element)) {
        if (child.namespaceURI === AKN_NAMESPACE) problems.push(`${here}: holds the Akoma Ntoso element ${child.localName}`);
      }
    } else if (!model) {
      problems.push(`${here}: ${name} is not an element of the schema's part Bilateral writes`);
      return;
    } else {
      const sequence = children(element)
        .map((child) => child.localName)
        .join(' ');
      if (!model.test(sequence)) problems.push(`${here}: children "${sequence}" do not match ${model}`);
      if (model.source === '^$' && !['p', 'num'].includes(name) && element.textContent !== '') {
        problems.push(`${here}: a value element with text`);
      }
    }
    for (const attribute of REQUIRED[name] ?? []) {
      if (!element.hasAttribute(attribute)) problems.push(`${here}: lacks the required attribute ${attribute}`);
    }
    if (BOOLEAN_VALUE.has(name) && !['true', 'false'].includes(element.getAttribute('value') ?? '')) {
      problems.push(`${here}: value is not a boolean`);
    }
    const eId = element.getAttribute('eId');
    if (eId) {
      if (eIds.has(eId)) problems.push(`${here}: eId ${eId} is not unique`);
      eIds.add(eId);
    }
    if (name !== 'proprietary') for (const child of children(element)) visit(child, here);
  };
  if (document.localName !== 'akomaNtoso') problems.push(`the root is ${document.localName}, not akomaNtoso`);
  visit(document, '');
  // Every reference to an organization names one the document declares.
  for (const author of Array.from(document.getElementsByTagNameNS(AKN_NAMESPACE, 'FRBRauthor'))) {
    const href = author.getAttribute('href') ?? '';
    if (!href.startsWith('#') || !eIds.has(href.slice(1))) problems.push(`FRBRauthor ${href} names no TLC element of the document`);
  }
  return { document, problems };
}

/** The element's first descendant of that name in the Akoma Ntoso namespace. */
export function first(element: XmlElement, name: string): XmlElement {
  const found = element.getElementsByTagNameNS(AKN_NAMESPACE, name)[0];
  if (!found) throw new Error(`no ${name} in ${element.localName}`);
  return found;
}

export { children };
