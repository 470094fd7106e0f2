// Thumbnails from GET /api/v1/files/{id}/thumbnail. The route needs the bearer token, which an
// <img> cannot send, so the bytes are fetched and shown from a blob: URL that the caller
// revokes. A thumbnail still being made answers 202 THUMBNAIL_PENDING: it is asked for again a
// few times with a growing pause, then given up on (the caller shows the file-type icon).
import { api, ApiError, type Node } from "./api";

export type ThumbnailSize = "small" | "large";

// Pauses between the attempts while the server says "pending", in seconds.
const kPendingBackoff = [1, 2, 4, 8];

// Only images and PDFs have thumbnails; asking for any other file would only meet a 404.
export function hasThumbnail(node: Node): boolean {
  const mime = node.mime ?? "";
  return node.type === "file" && ((mime.startsWith("image/") && mime !== "image/svg+xml") || mime === "application/pdf");
}

function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(resolve, seconds * 1000);
    signal.addEventListener("abort", () => {
      window.clearTimeout(timer);
      reject(new DOMException("cancelled", "AbortError"));
    });
  });
}

// A blob: URL of the thumbnail, or null when the file has none (yet). `pending` false asks once
// and does not wait for one being made (the preview's quick first picture).
export async function fetchThumbnail(
  node: Node,
  size: ThumbnailSize,
  signal: AbortSignal,
  pending = true,
): Promise<string | null> {
  // The sha256 makes the address immutable, so the browser's cache answers a second visit.
  const url = `/api/v1/files/${node.id}/thumbnail?size=${size}` + (node.sha256 ? `&v=${node.sha256}` : "");
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await api<Response>(url, { raw: true, signal });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
    if (response.status === 200) return URL.createObjectURL(await response.blob());
    if (!pending || attempt >= kPendingBackoff.length) return null;
    const hinted = Number(response.headers.get("Retry-After"));
    await sleep(Math.max(kPendingBackoff[attempt], isFinite(hinted) ? hinted : 0), signal);
  }
}
