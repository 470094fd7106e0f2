// Uploads whose name is taken in the folder they go to: the user is asked, file by file, whether
// to replace (the upload becomes a new version; the old one stays in the file's versions), keep
// both (the upload goes under a free name, "report (1).pdf") or skip it, with "apply to all" when
// several collide. Only files directly in the target folder are asked about; the files of an
// uploaded folder tree merge into folders of the same name as before.
//
// The names come from the folder's listing, read once just before the batch is queued. A name
// that another client takes between that read and the upload still becomes a new version of its
// file (nothing is lost: versions are kept); the server has no "create only" upload to close
// that window (an If-None-Match: * on PUT would).
import { useState } from "preact/hooks";
import { api, type Node } from "./api";
import { displayName } from "./format";
import { Dialog } from "./ui";

export type Choice = "replace" | "keep-both" | "skip";

export interface Question {
  name: string;
  folder: string; // the target folder's name, for the message
  remaining: number; // the taken names not yet answered, this one included
  answer: (choice: Choice, toAll: boolean) => void;
}

const kListPage = 1000; // the most the listing gives in one page

export async function takenNames(folderId: number): Promise<Set<string>> {
  const names = new Set<string>();
  let cursor: string | null = null;
  do {
    const query: string = `limit=${kListPage}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
    const page: { items: Node[]; next_cursor: string | null } = await api(`/api/v1/folders/${folderId}/children?${query}`);
    for (const node of page.items) names.add(node.name);
    cursor = page.next_cursor;
  } while (cursor);
  return names;
}

// "name (1).ext", "name (2).ext", … : the first not in `taken`.
export function freeName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken.has(candidate)) return candidate;
  }
}

// The files to upload once every taken name is answered: skipped ones left out, kept-both ones
// renamed. `ask` shows one question and resolves with the answer.
export async function resolveConflicts<T extends { path: string }>(
  files: T[],
  taken: Set<string>,
  folder: string,
  ask: (q: Omit<Question, "answer">) => Promise<[Choice, boolean]>,
): Promise<T[]> {
  const colliding = files.filter((f) => !f.path.includes("/") && taken.has(f.path));
  if (colliding.length === 0) return files;
  const names = new Set([...taken, ...files.map((f) => f.path)]);
  const out: T[] = [];
  let forAll: Choice | null = null;
  let remaining = colliding.length;
  for (const f of files) {
    if (!colliding.includes(f)) {
      out.push(f);
      continue;
    }
    let choice: Choice;
    if (forAll) {
      choice = forAll;
    } else {
      const [answer, toAll] = await ask({ name: f.path, folder, remaining });
      choice = answer;
      if (toAll) forAll = answer;
    }
    remaining--;
    if (choice === "replace") out.push(f);
    if (choice === "keep-both") {
      const name = freeName(f.path, names);
      names.add(name);
      out.push({ ...f, path: name });
    }
  }
  return out;
}

export function ConflictDialog(props: { question: Question }) {
  const { name, folder, remaining, answer } = props.question;
  const [toAll, setToAll] = useState(false);
  const choose = (choice: Choice) => answer(choice, toAll);
  return (
    <Dialog title={`“${displayName(name)}” already exists`} onClose={() => choose("skip")}>
      <p>
        “{displayName(folder)}” has a file or folder of that name. Replace it (its current content stays in its versions),
        keep both, or skip this file?
      </p>
      {remaining > 1 && (
        <label class="check">
          <input type="checkbox" checked={toAll} onChange={(e) => setToAll(e.currentTarget.checked)} />
          Apply to all {remaining} files
        </label>
      )}
      <div class="actions">
        <button type="button" onClick={() => choose("skip")}>
          Skip
        </button>
        <button type="button" onClick={() => choose("keep-both")}>
          Keep both
        </button>
        <button type="button" class="primary" onClick={() => choose("replace")}>
          Replace
        </button>
      </div>
    </Dialog>
  );
}
