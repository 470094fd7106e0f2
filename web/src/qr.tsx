// A QR code drawn as SVG elements (no HTML string, no inline script or style).
import qrcode from "qrcode-generator";

export function QrCode(props: { text: string; label: string }) {
  const qr = qrcode(0, "M");
  qr.addData(props.text);
  qr.make();
  const n = qr.getModuleCount();
  let path = "";
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.isDark(r, c)) path += `M${c + 4} ${r + 4}h1v1h-1z`;
  }
  return (
    <svg class="qr" viewBox={`0 0 ${n + 8} ${n + 8}`} role="img" aria-label={props.label}>
      <rect width={n + 8} height={n + 8} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
