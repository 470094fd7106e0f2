// Markdown rendered to Preact elements, never to an HTML string: whatever a file contains ends
// up as text nodes, so it cannot inject markup or script. Covers headings, paragraphs, lists,
// block quotes, fenced code, rules, GitHub-style pipe tables, emphasis, inline code and http(s)
// links.
import type { ComponentChildren } from "preact";

function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*]+\*|_[^_]+_)|(\[([^\]]+)\]\(([^)\s]+)\))/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = pattern.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1]) out.push(<code>{m[1].slice(1, -1)}</code>);
    else if (m[2]) out.push(<strong>{inline(m[2].slice(2, -2))}</strong>);
    else if (m[3]) out.push(<em>{inline(m[3].slice(1, -1))}</em>);
    else if (/^https?:\/\//i.test(m[6])) {
      out.push(
        <a href={m[6]} target="_blank" rel="noopener noreferrer nofollow">
          {m[5]}
        </a>,
      );
    } else out.push(m[5]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// A table's cells: split at the pipes that are not escaped, the outer pipes optional; "\|"
// is a pipe inside a cell (also inside code, as on GitHub).
function cells(line: string): string[] {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  return row.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

const kDelimiterRow = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

// A header row, then a delimiter row of as many cells ("---", ":--", "--:", ":-:").
function startsTable(lines: string[], i: number): boolean {
  return (
    i + 1 < lines.length &&
    lines[i].includes("|") &&
    kDelimiterRow.test(lines[i + 1]) &&
    cells(lines[i]).length === cells(lines[i + 1]).length
  );
}

type Align = "left" | "right" | "center" | null;

function alignOf(delimiter: string): Align {
  const left = delimiter.startsWith(":");
  const right = delimiter.endsWith(":");
  return left && right ? "center" : right ? "right" : left ? "left" : null;
}

function Table(props: { head: string[]; align: Align[]; rows: string[][] }) {
  const cls = (i: number) => (props.align[i] ? `align-${props.align[i]}` : undefined);
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            {props.head.map((c, i) => (
              <th scope="col" class={cls(i)}>
                {inline(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              {props.head.map((_, i) => (
                <td class={cls(i)}>{inline(row[i] ?? "")}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Markdown(props: { text: string }) {
  const lines = props.text.replace(/\r\n?/g, "\n").split("\n");
  const blocks: ComponentChildren[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^```/.test(line)) {
      const body: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) body.push(lines[i]);
      i++;
      blocks.push(
        <pre>
          <code>{body.join("\n")}</code>
        </pre>,
      );
    } else if (startsTable(lines, i)) {
      const head = cells(line);
      const align = cells(lines[i + 1]).map(alignOf);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && lines[i].trim() !== "" && lines[i].includes("|"); i++) rows.push(cells(lines[i]));
      blocks.push(<Table head={head} align={align} rows={rows} />);
    } else if (/^#{1,6}\s/.test(line)) {
      const level = line.match(/^#+/)![0].length;
      const Tag = `h${Math.min(6, level + 1)}` as "h2";
      blocks.push(<Tag>{inline(line.slice(level).trim())}</Tag>);
      i++;
    } else if (/^\s*([-*+]|\d+[.)])\s/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const itemsList: ComponentChildren[] = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s/.test(lines[i])) {
        itemsList.push(<li>{inline(lines[i].replace(/^\s*([-*+]|\d+[.)])\s/, ""))}</li>);
        i++;
      }
      blocks.push(ordered ? <ol>{itemsList}</ol> : <ul>{itemsList}</ul>);
    } else if (/^>\s?/.test(line)) {
      const quote: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i])) quote.push(lines[i++].replace(/^>\s?/, ""));
      blocks.push(<blockquote>{inline(quote.join(" "))}</blockquote>);
    } else if (/^(-{3,}|\*{3,})\s*$/.test(line)) {
      blocks.push(<hr />);
      i++;
    } else if (line.trim() === "") {
      i++;
    } else {
      const para: string[] = [];
      while (
        i < lines.length &&
        lines[i].trim() !== "" &&
        !/^(#{1,6}\s|```|>|\s*([-*+]|\d+[.)])\s)/.test(lines[i]) &&
        !(para.length > 0 && startsTable(lines, i))
      ) {
        para.push(lines[i++]);
      }
      blocks.push(<p>{inline(para.join(" "))}</p>);
    }
  }
  return <div class="markdown">{blocks}</div>;
}
