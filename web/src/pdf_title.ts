// A PDF shown from a blob: URL would be titled by the browser's viewer with the URL's last part,
// a random id, and saved from there under that id. The viewer prefers the document's own /Title,
// so the bytes get one, the file's name, appended as a PDF incremental update (a new document
// information dictionary and a trailer that points back at the original cross-reference data):
// nothing of the original is rewritten, and the file on the server is untouched.
//
// When the file's end does not look as expected (no startxref, no /Root found) or the document
// is encrypted (its strings would need encrypting too), the bytes are returned as they are.

const kTailBytes = 4096;
const kDictionaryBytes = 8192;

const latin1 = (bytes: Uint8Array) => new TextDecoder("latin1").decode(bytes);

// A PDF text string in UTF-16BE with its byte order mark, written in hex: any name, no escaping.
function textString(text: string): string {
  let hex = "FEFF";
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, "0");
  return `<${hex}>`;
}

export function withTitle(pdf: Uint8Array<ArrayBuffer>, title: string): Uint8Array<ArrayBuffer> {
  const tail = latin1(pdf.subarray(Math.max(0, pdf.length - kTailBytes)));
  const start = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!start) return pdf;
  const previous = Number(start[1]);
  if (previous >= pdf.length) return pdf;
  // The newest trailer: a classic one before startxref, or the dictionary of a cross-reference
  // stream at the offset startxref names.
  const classic = tail.lastIndexOf("trailer");
  const trailer =
    classic >= 0 ? tail.slice(classic, tail.lastIndexOf("startxref")) : latin1(pdf.subarray(previous, previous + kDictionaryBytes));
  if (/\/Encrypt\b/.test(trailer)) return pdf;
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(trailer)?.[1];
  const size = Number(/\/Size\s+(\d+)/.exec(trailer)?.[1]);
  if (!root || !size) return pdf;
  const id = /\/ID\s*\[[^\]]*\]/.exec(trailer)?.[0] ?? "";

  const object = `\n${size} 0 obj\n<< /Title ${textString(title)} >>\nendobj\n`;
  const objectOffset = pdf.length + 1;
  const xref = pdf.length + object.length;
  const update =
    object +
    `xref\n${size} 1\n${String(objectOffset).padStart(10, "0")} 00000 n \n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${previous} ${id} >>\n` +
    `startxref\n${xref}\n%%EOF\n`;
  // The update is ASCII, so its characters are its bytes.
  const out = new Uint8Array(pdf.length + update.length);
  out.set(pdf);
  for (let i = 0; i < update.length; i++) out[pdf.length + i] = update.charCodeAt(i);
  return out;
}
