// Zip downloads of a selection (GET /api/v1/zip?ids=). That route needs the Authorization
// header, which a navigation cannot send and the access token lives only in this page's
// memory, so the archive is fetched and handed to the browser as a blob: URL. The whole
// archive is held in memory until it is saved, which suits selections of up to a few hundred
// MiB; larger trees are better fetched with a client (WebDAV, rclone) or a public folder link,
// whose /s/{token}/zip streams straight to disk.
import { api, download, type Node } from "./api";

// The name the server chose (Content-Disposition), else a plain one.
function fileName(response: Response, fallback: string): string {
  const header = response.headers.get("Content-Disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/i.exec(header);
  return plain ? plain[1] : fallback;
}

export async function downloadZip(nodes: Node[]) {
  if (!nodes.length) return;
  const ids = nodes.map((n) => n.id).join(",");
  const response = await api<Response>(`/api/v1/zip?ids=${ids}`, { raw: true });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  try {
    download(url, fileName(response, nodes.length === 1 ? nodes[0].name + ".zip" : "coffer.zip"));
  } finally {
    // The download has started from the URL; the blob may go once the click is handled.
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
