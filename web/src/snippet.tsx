// A search snippet as elements. The API sends it as escaped text with the matched words wrapped
// in <mark>…</mark>; it is never handed to the DOM as HTML: the marks are split out, the five
// entities the server writes are decoded, and everything else stays text.
const kEntities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

export function unescapeHtml(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => kEntities[e]);
}

// The snippet as a list of [text, marked] pieces, in order.
export function snippetParts(snippet: string): [string, boolean][] {
  const parts: [string, boolean][] = [];
  let marked = false;
  for (const piece of snippet.split(/(<mark>|<\/mark>)/)) {
    if (piece === "<mark>") marked = true;
    else if (piece === "</mark>") marked = false;
    else if (piece) parts.push([unescapeHtml(piece), marked]);
  }
  return parts;
}

export function Snippet(props: { html: string }) {
  return (
    <span class="snippet">
      {snippetParts(props.html).map(([text, marked], i) => (marked ? <mark key={i}>{text}</mark> : text))}
    </span>
  );
}
