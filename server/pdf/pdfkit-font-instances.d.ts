import type { Font } from 'fontkit';

declare global {
  namespace PDFKit.Mixins {
    interface PDFFont {
      /** pdfkit 0.20 takes an already-parsed fontkit font too; @types/pdfkit 0.17 predates that. */
      registerFont(name: string, src: Font): this;
    }
  }
}
