declare module "*.css";

// The QR encoder alone (qrcode's core), without its Node-only renderers.
declare module "qrcode/lib/core/qrcode.js" {
  export function create(text: string, options?: { errorCorrectionLevel?: "L" | "M" | "Q" | "H" }): {
    modules: { size: number; get(row: number, col: number): number | boolean };
  };
}
