// Preview of one file: images (the large thumbnail at once when there is one, then the
// original), audio and video through a short-lived signed URL, PDF in the browser's own viewer
// (from a blob: URL, titled with the file's name), text and Markdown as text (Markdown rendered
// to elements, never as HTML from the file). Left and right arrows step through the folder.
import { useEffect, useState } from "preact/hooks";
import { api, download, signedUrl, type Node } from "./api";
import { bytes, displayName } from "./format";
import { Markdown } from "./markdown";
import { Dialog, ErrorText, toastError } from "./ui";
import { fetchThumbnail } from "./thumbnail";
import { withTitle } from "./pdf_title";

const kTextLimit = 1 << 20;

type Kind = "image" | "pdf" | "markdown" | "text" | "audio" | "video" | "none";

export function previewKind(node: Node): Kind {
  const mime = node.mime ?? "";
  const ext = node.name.toLowerCase().split(".").pop() ?? "";
  if (mime.startsWith("image/") && mime !== "image/svg+xml") return "image";
  if (mime === "application/pdf") return "pdf";
  if (ext === "md" || ext === "markdown" || mime === "text/markdown") return "markdown";
  if (mime.startsWith("text/") || mime === "application/json" || ["txt", "log", "csv", "json", "yaml", "yml", "toml", "ini"].includes(ext)) return "text";
  if (mime.startsWith("audio/")) return "audio";
  if (mime.startsWith("video/")) return "video";
  return "none";
}

function Body(props: { node: Node }) {
  const { node } = props;
  const kind = previewKind(node);
  const [src, setSrc] = useState<string | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let revoke = "";
    let live = true;
    const controller = new AbortController();
    setSrc(null);
    setText(null);
    setError(null);
    (async () => {
      if (kind === "image") {
        // A made thumbnail shows at once; one still being made is not waited for.
        revoke = (await fetchThumbnail(node, "large", controller.signal, false).catch(() => null)) ?? "";
        if (!live) {
          if (revoke) URL.revokeObjectURL(revoke); // made after the cleanup ran
          return;
        }
        if (revoke) setSrc(revoke);
        const url = await signedUrl(node.id, "inline");
        // Decoded off-screen first, so the thumbnail stays until the original can replace it.
        const original = new Image();
        original.src = url;
        await original.decode().catch(() => {});
        if (live) setSrc(url);
      } else if (kind === "audio" || kind === "video") {
        const url = await signedUrl(node.id, "inline");
        if (live) setSrc(url);
      } else if (kind === "pdf") {
        const response = await api<Response>(`/api/v1/files/${node.id}/content`, { raw: true });
        // Titled with the file's name, or the viewer would show the blob: URL's random id.
        const pdf = withTitle(new Uint8Array(await response.arrayBuffer()), node.name);
        const blob = new Blob([pdf], { type: "application/pdf" });
        revoke = URL.createObjectURL(blob);
        if (live) setSrc(revoke);
      } else if (kind === "text" || kind === "markdown") {
        const response = await api<Response>(`/api/v1/files/${node.id}/content`, {
          raw: true,
          headers: { Range: `bytes=0-${kTextLimit - 1}` },
        });
        const body = await response.text();
        if (live) setText(body);
      }
    })().catch((e) => live && setError(e));
    return () => {
      live = false;
      controller.abort();
      if (revoke) URL.revokeObjectURL(revoke);
    };
  }, [node.id]);

  if (error) return <ErrorText error={error} />;
  if (kind === "none") {
    return <p class="muted">No preview for this kind of file ({node.mime || "unknown type"}). Download it to open it.</p>;
  }
  if (src === null && text === null) return <p class="muted">Loading preview…</p>;
  const truncated = (node.size ?? 0) > kTextLimit ? <p class="muted">Showing the first {bytes(kTextLimit)}.</p> : null;
  switch (kind) {
    case "image":
      return <img class="preview-image" src={src!} alt={node.name} />;
    case "audio":
      return <audio class="preview-media" src={src!} controls />;
    case "video":
      return <video class="preview-media" src={src!} controls />;
    case "pdf":
      return <iframe class="preview-pdf" src={src!} title={`PDF: ${node.name}`} />;
    case "markdown":
      return (
        <>
          {truncated}
          <Markdown text={text!} />
        </>
      );
    default:
      return (
        <>
          {truncated}
          <pre class="preview-text">{text}</pre>
        </>
      );
  }
}

// What it shows is the caller's: `node`, with `onStep` asked for a sibling. The file browser
// keeps it in the address (?preview=ID), so Back and Forward show the file the address names.
export function Preview<T extends Node>(props: {
  node: T;
  siblings: T[];
  onStep: (node: T) => void;
  onClose: () => void;
  onDetails?: (id: number) => void;
}) {
  const { node } = props;
  const index = props.siblings.findIndex((n) => n.id === node.id);
  const step = (by: number) => {
    const next = props.siblings[index + by];
    if (next) props.onStep(next);
  };
  return (
    <Dialog title={displayName(node.name)} onClose={props.onClose} wide>
      <div
        class="preview"
        onKeyDown={(e) => {
          if ((e.target as HTMLElement).closest("audio,video")) return;
          if (e.key === "ArrowRight") step(1);
          if (e.key === "ArrowLeft") step(-1);
        }}
      >
        <Body key={node.id} node={node} />
      </div>
      <div class="actions">
        <button type="button" disabled={index <= 0} onClick={() => step(-1)} aria-label="Previous file">
          ‹ Previous
        </button>
        <button type="button" disabled={index < 0 || index >= props.siblings.length - 1} onClick={() => step(1)} aria-label="Next file">
          Next ›
        </button>
        <span class="separator" />
        {props.onDetails && (
          <button type="button" onClick={() => props.onDetails?.(node.id)}>
            Details
          </button>
        )}
        <button type="button" class="primary"
          onClick={() => void signedUrl(node.id, "attachment").then((url) => download(url, node.name), toastError)}>
          Download
        </button>
      </div>
    </Dialog>
  );
}
