// subset-font ships no types: the one call the pages' font needs.
declare module 'subset-font' {
  export default function subsetFont(
    font: Buffer,
    text: string,
    options?: { readonly targetFormat?: 'sfnt' | 'truetype' | 'woff' | 'woff2'; readonly preserveNameIds?: readonly number[] },
  ): Promise<Buffer>;
}
