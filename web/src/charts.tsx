// Storage charts, drawn as plain SVG (no chart library): the admin console's usage over time
// (logical against physical bytes), deduplication and compression ratios and per-user usage
// (GET /api/v1/system/stats/history), and the user's own usage over time in Settings
// (GET /api/v1/usage/history). Every chart has a text equivalent: an aria summary and a data
// table under "Show data". The SVGs are drawn for their container's width, down to a phone's.
import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api";
import { bytes } from "./format";
import { ErrorText } from "./ui";

interface Series {
  label: string;
  className: string; // the stroke colour (styles.css: .series-*)
  values: number[];
}

const kPad = { left: 64, right: 12, top: 12, bottom: 28 };

// The width of the element `ref` is put on, followed as it changes, so that charts are drawn
// at one SVG unit per pixel: text keeps its size on a phone and on a wide screen alike.
function useWidth(): [RefObject<HTMLElement>, number] {
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(240, Math.floor(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(max)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function shortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

// A line chart of one or more series over days. One point is drawn as a dot.
export function LineChart(props: {
  title: string;
  days: string[];
  series: Series[];
  format: (n: number) => string;
  height?: number;
}) {
  const [ref, width] = useWidth();
  const height = props.height ?? 220;
  const plotW = width - kPad.left - kPad.right;
  const plotH = height - kPad.top - kPad.bottom;
  const max = niceMax(Math.max(0, ...props.series.flatMap((s) => s.values)));
  const n = props.days.length;
  const x = (i: number) => kPad.left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => kPad.top + plotH - (v / max) * plotH;
  const last = n - 1;
  const summary =
    n === 0
      ? `${props.title}: no data yet.`
      : `${props.title}, ${n} day${n === 1 ? "" : "s"} from ${props.days[0]} to ${props.days[last]}. ` +
        props.series.map((s) => `${s.label}: ${props.format(s.values[last])} on the last day`).join("; ") +
        ".";
  // Nothing stored yet: only the zero line, rather than made-up fractions of a byte.
  const ticks = props.series.some((s) => s.values.some((v) => v > 0)) ? [0, max / 2, max] : [0];
  return (
    <figure class="chart" ref={ref}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} class="chart-svg">
        {ticks.map((t) => (
          <g key={t}>
            <line class="grid" x1={kPad.left} x2={width - kPad.right} y1={y(t)} y2={y(t)} />
            <text class="axis" x={kPad.left - 6} y={y(t) + 4} text-anchor="end">
              {props.format(t)}
            </text>
          </g>
        ))}
        {n > 0 && (
          <>
            <text class="axis" x={x(0)} y={height - 8} text-anchor={n === 1 ? "middle" : "start"}>
              {shortDay(props.days[0])}
            </text>
            {n > 1 && (
              <text class="axis" x={x(last)} y={height - 8} text-anchor="end">
                {shortDay(props.days[last])}
              </text>
            )}
          </>
        )}
        {props.series.map((s) => (
          <g key={s.label} class={s.className}>
            {n > 1 && (
              <polyline fill="none" stroke-width="2" points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ")} />
            )}
            {s.values.map((v, i) => (
              <circle key={i} cx={x(i)} cy={y(v)} r={n === 1 ? 5 : 2.5} data-point={props.days[i]}>
                <title>{`${s.label} ${props.days[i]}: ${props.format(v)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <ul class="legend">
        {props.series.map((s) => (
          <li key={s.label} class={s.className}>
            {s.label}
          </li>
        ))}
      </ul>
      <details>
        <summary>Show data</summary>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Day</th>
              {props.series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.days.map((d, i) => (
              <tr key={d}>
                <th scope="row">{d}</th>
                {props.series.map((s) => (
                  <td key={s.label}>{props.format(s.values[i])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

// Horizontal bars, largest first, with the value written beside each bar.
export function BarChart(props: { title: string; items: { label: string; value: number }[]; format: (n: number) => string }) {
  const [ref, width] = useWidth();
  const row = 28;
  const labelW = Math.min(150, width / 3);
  const valueW = 80;
  const height = Math.max(1, props.items.length) * row + 4;
  const max = Math.max(1, ...props.items.map((i) => i.value));
  const barW = width - labelW - valueW;
  const summary =
    props.items.length === 0
      ? `${props.title}: no data yet.`
      : `${props.title}: ` + props.items.map((i) => `${i.label} ${props.format(i.value)}`).join(", ") + ".";
  return (
    <figure class="chart" ref={ref}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} class="chart-svg">
        {props.items.map((item, i) => (
          <g key={item.label} class="series-logical">
            <text class="axis" x={labelW - 8} y={i * row + 19} text-anchor="end">
              {item.label.length > 18 ? item.label.slice(0, 17) + "…" : item.label}
            </text>
            <rect x={labelW} y={i * row + 5} height={row - 10} width={Math.max(1, (item.value / max) * barW)} rx="3">
              <title>{`${item.label}: ${props.format(item.value)}`}</title>
            </rect>
            <text class="axis" x={labelW + barW + 6} y={i * row + 19}>
              {props.format(item.value)}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

interface SystemPoint {
  day: string;
  logical_bytes: number;
  unique_bytes: number;
  physical_bytes: number;
  chunks: number;
  files: number;
  dedup_ratio: number;
  compression_ratio: number;
}

interface SystemHistory {
  days: number;
  points: SystemPoint[];
  users: { id: number; username: string; used_bytes: number; files: number }[];
}

function DaysSelect(props: { value: number; onChange: (days: number) => void }) {
  return (
    <label class="days-select">
      Period
      <select value={props.value} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
        {[7, 30, 90, 400].map((d) => (
          <option key={d} value={d}>
            last {d} days
          </option>
        ))}
      </select>
    </label>
  );
}

const ratio = (n: number) => n.toFixed(2);

// The server samples usage when it starts and after each periodic collection, so today's sample
// can be hours old (on a new installation: 0 B from before the first upload). Today's point is
// the live figure instead, so a chart always ends where the usage stands now.
function withToday<T extends { day: string }>(points: T[], today: T): T[] {
  const earlier = points.length && points[points.length - 1].day === today.day ? points.slice(0, -1) : points;
  return [...earlier, today];
}

// Today as the server names its days (UTC).
const todayName = () => new Date().toISOString().slice(0, 10);

interface SystemStats {
  logical_bytes: number;
  unique_bytes: number;
  physical_bytes: number;
  chunks: number;
  dedup_ratio: number;
  compression_ratio: number;
}

// The admin console's charts (operators and admins).
export function StorageCharts() {
  const [days, setDays] = useState(30);
  const [history, setHistory] = useState<SystemHistory | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const live = api<SystemStats>("/api/v1/system/stats");
    live.catch(() => {}); // reported through the history's error below
    api<SystemHistory>(`/api/v1/system/stats/history?days=${days}`)
      .then(async (h) => {
        const now = await live;
        const files = h.points.length ? h.points[h.points.length - 1].files : 0;
        return { ...h, points: withToday(h.points, { ...now, day: todayName(), files }) };
      })
      .then(setHistory, setError);
  }, [days]);
  const points = history?.points ?? [];
  const labels = points.map((p) => p.day);
  return (
    <div class="charts" aria-label="Storage over time">
      <DaysSelect value={days} onChange={setDays} />
      <ErrorText error={error} />
      {history && (
        <>
          <LineChart
            title="Storage used"
            days={labels}
            format={bytes}
            series={[
              { label: "Logical", className: "series-logical", values: points.map((p) => p.logical_bytes) },
              { label: "Physical", className: "series-physical", values: points.map((p) => p.physical_bytes) },
            ]}
          />
          <LineChart
            title="Deduplication and compression ratios"
            days={labels}
            format={ratio}
            series={[
              { label: "Deduplication", className: "series-logical", values: points.map((p) => p.dedup_ratio) },
              { label: "Compression", className: "series-physical", values: points.map((p) => p.compression_ratio) },
            ]}
          />
          <BarChart
            title="Usage per user"
            format={bytes}
            items={history.users.map((u) => ({ label: u.username, value: u.used_bytes }))}
          />
        </>
      )}
    </div>
  );
}

// The user's own usage over time (Settings).
export function UsageHistory() {
  const [points, setPoints] = useState<{ day: string; used_bytes: number }[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const live = api<{ used: number }>("/api/v1/usage");
    live.catch(() => {}); // reported through the history's error below
    api<{ points: { day: string; used_bytes: number }[] }>("/api/v1/usage/history?days=90")
      .then(async (h) => withToday(h.points, { day: todayName(), used_bytes: (await live).used }))
      .then(setPoints, setError);
  }, []);
  return (
    <section class="card" aria-labelledby="usage-history-title">
      <h2 id="usage-history-title">Usage over time</h2>
      <ErrorText error={error} />
      {points && (
        <LineChart
          title="Your storage, last 90 days"
          days={points.map((p) => p.day)}
          format={bytes}
          height={160}
          series={[{ label: "Used", className: "series-logical", values: points.map((p) => p.used_bytes) }]}
        />
      )}
    </section>
  );
}
