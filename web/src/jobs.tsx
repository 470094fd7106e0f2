// The job queue in the admin console (operators and admins): how many background jobs
// (thumbnails, text extraction) wait, run, finished or died, by kind; the failures with their
// last error; the newest jobs, of one state if asked; and a retry for a dead job.
import { useEffect, useState } from "preact/hooks";
import { api } from "./api";
import { date } from "./format";
import { ErrorText, TableHead, toast, toastError } from "./ui";
import "./jobs.css";

const kStates = ["queued", "running", "done", "dead"] as const;
type JobState = (typeof kStates)[number];

interface Job {
  id: number;
  kind: string;
  state: JobState;
  node_id: number;
  version_id: number;
  mime: string;
  attempts: number;
  run_at: string;
  lease_until: string | null;
  last_error: string | null;
  created: string;
  updated: string;
}

interface Queue {
  depth: Record<string, Record<JobState, number>>;
  failures: Job[];
  items: Job[];
}

const kLimit = 100;

function JobRows(props: { jobs: Job[]; onRetry: (job: Job) => void; label: string }) {
  return (
    <div class="table-scroll">
      <table class="table jobs" aria-label={props.label}>
        <TableHead columns={["Job", "Kind", "State", "File", "Attempts", "Last error", "Updated", ""]} />
        <tbody>
          {props.jobs.map((job) => (
            <tr key={job.id} data-job={job.id}>
              <td>{job.id}</td>
              <td>{job.kind}</td>
              <td>
                <span class={"job-state " + job.state}>{job.state}</span>
              </td>
              <td class="mono">
                {job.node_id} <span class="muted">{job.mime}</span>
              </td>
              <td>{job.attempts}</td>
              <td class="job-error">{job.last_error ?? ""}</td>
              <td>{date(job.updated)}</td>
              <td class="row-actions">
                {job.state === "dead" && (
                  <button type="button" aria-label={`Retry job ${job.id}`} onClick={() => props.onRetry(job)}>
                    Retry
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function JobQueue() {
  const [queue, setQueue] = useState<Queue | null>(null);
  const [state, setState] = useState<"" | JobState>("");
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [loadedAt, setLoadedAt] = useState<Date | null>(null);

  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      setQueue(await api<Queue>(`/api/v1/system/jobs?limit=${kLimit}` + (state ? `&state=${state}` : "")));
      setLoadedAt(new Date());
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(), [state]);

  const retry = async (job: Job) => {
    try {
      await api(`/api/v1/system/jobs/${job.id}/retry`, { method: "POST" });
      toast(`Job ${job.id} is queued again.`);
    } catch (e) {
      toastError(e);
    }
    await load();
  };

  const kinds = Object.keys(queue?.depth ?? {}).sort();
  const total = (s: JobState) => kinds.reduce((n, k) => n + (queue!.depth[k][s] ?? 0), 0);

  return (
    <section aria-labelledby="jobs-title" aria-busy={loading}>
      <div class="page-head">
        <h2 id="jobs-title">Job queue</h2>
        {loadedAt && <span class="muted">as of {loadedAt.toLocaleTimeString()}</span>}
        <button type="button" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
      </div>
      <ErrorText error={error} />
      {queue && (
        <>
          <table class="table depth" aria-label="Queue depth">
            <TableHead columns={["Kind", ...kStates.map((s) => s.charAt(0).toUpperCase() + s.slice(1))]} />
            <tbody>
              {kinds.map((kind) => (
                <tr key={kind} data-kind={kind}>
                  <th scope="row">{kind}</th>
                  {kStates.map((s) => (
                    <td key={s} class={s === "dead" && queue.depth[kind][s] ? "job-state dead" : ""}>
                      {queue.depth[kind][s] ?? 0}
                    </td>
                  ))}
                </tr>
              ))}
              {kinds.length === 0 && (
                <tr>
                  <td colSpan={5} class="muted">
                    No jobs yet: uploads of images and documents make them.
                  </td>
                </tr>
              )}
              {kinds.length > 1 && (
                <tr class="total">
                  <th scope="row">All</th>
                  {kStates.map((s) => (
                    <td key={s}>{total(s)}</td>
                  ))}
                </tr>
              )}
            </tbody>
          </table>

          <h3 class="jobs-heading">Failures</h3>
          {queue.failures.length ? (
            <JobRows jobs={queue.failures} onRetry={(j) => void retry(j)} label="Failures" />
          ) : (
            <p class="muted">No job has failed.</p>
          )}

          <div class="page-head jobs-heading">
            <h3>Newest jobs</h3>
            <label class="inline">
              State
              <select value={state} onChange={(e) => setState(e.currentTarget.value as "" | JobState)}>
                <option value="">All</option>
                {kStates.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {queue.items.length ? (
            <JobRows jobs={queue.items} onRetry={(j) => void retry(j)} label="Newest jobs" />
          ) : (
            <p class="muted">No jobs{state ? ` in the state “${state}”` : ""}.</p>
          )}
        </>
      )}
    </section>
  );
}
