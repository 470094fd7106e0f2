#include "meta/sql_job_store.h"

namespace coffer::meta {
namespace {

constexpr std::string_view kJobColumns =
    "id, kind, owner_id, node_id, version_id, sha256, mime, state, attempts, run_at, "
    "lease_owner, lease_until, last_error, created_at, updated_at";

std::string job_sql(std::string_view before, std::string_view after) {
  return std::string(before) + std::string(kJobColumns) + std::string(after);
}

Job job_from_row(const Row& row) {
  Job job;
  job.id = row.int64(0);
  job.kind = row.text(1);
  job.owner_id = row.int64(2);
  job.node_id = row.int64(3);
  job.version_id = row.int64(4);
  job.sha256 = row.text(5);
  job.mime = row.text(6);
  job.state = parse_job_state(row.text(7)).value_or(JobState::kQueued);
  job.attempts = static_cast<int>(row.int64(8));
  job.run_at = row.int64(9);
  job.lease_owner = row.text(10);
  job.lease_until = row.int64(11);
  job.last_error = row.text(12);
  job.created = row.int64(13);
  job.updated = row.int64(14);
  return job;
}

Result<std::vector<Job>> jobs_from(Result<std::vector<Row>> rows) {
  COFFER_RETURN_IF_ERROR(rows);
  std::vector<Job> jobs;
  jobs.reserve(rows->size());
  for (const Row& row : *rows) jobs.push_back(job_from_row(row));
  return jobs;
}

// A node whose jobs have all finished (done or dead) is no longer pending. Only `pending`
// changes: a status the user set meanwhile stays.
Status release_pending(Connection& conn, int64_t job_id) {
  return status_of(
      conn.exec("UPDATE nodes SET status = 'active' WHERE status = 'pending' "
                "AND id = (SELECT node_id FROM jobs WHERE id = ?) "
                "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.node_id = nodes.id "
                "AND j.state IN ('queued', 'running'))",
                {job_id}));
}

// Error texts come from decoders and may hold any bytes; PostgreSQL text must be UTF-8.
std::string printable(const std::string& error) {
  std::string out = error.substr(0, 1000);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return out;
}

Status lease_lost() { return Status(Errc::kNotFound, "the job's lease is held by another worker"); }

}  // namespace

Status enqueue_jobs(Connection& conn, const std::vector<std::string>& kinds, int64_t owner_id,
                    int64_t node_id, int64_t version_id, const std::string& sha256,
                    const std::string& mime, Micros now) {
  if (kinds.empty()) return Status::ok();
  for (const std::string& kind : kinds) {
    COFFER_RETURN_IF_ERROR(conn.exec(
        "INSERT INTO jobs (kind, owner_id, node_id, version_id, sha256, mime, state, attempts, "
        "run_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)",
        {kind, owner_id, node_id, version_id, sha256, mime, now, now, now}));
  }
  return status_of(conn.exec(
      "UPDATE nodes SET status = 'pending' WHERE id = ? AND status = 'active'", {node_id}));
}

Result<std::optional<Job>> SqlJobStore::claim(const std::vector<std::string>& kinds,
                                              const std::string& owner, Micros now,
                                              Micros lease_until) {
  using Out = std::optional<Job>;
  if (kinds.empty()) return Out();
  std::string in = "?";
  for (size_t i = 1; i < kinds.size(); ++i) in += ", ?";
  const std::string sql = job_sql(
      "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, "
      "lease_until = ?, updated_at = ? WHERE id = (SELECT id FROM jobs WHERE kind IN (" +
          in +
          ") AND ((state = 'queued' AND run_at <= ?) OR (state = 'running' AND lease_until < ?)) "
          "ORDER BY run_at, id LIMIT 1" +
          std::string(db_.dialect().skip_locked_suffix()) + ") RETURNING ",
      "");
  Params params{owner, lease_until, now};
  for (const std::string& kind : kinds) params.emplace_back(kind);
  params.emplace_back(now);
  params.emplace_back(now);
  return transact_value<Out>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<Out> {
    auto row = conn.query_row(sql, params);
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Out();
    return Out(job_from_row(**row));
  });
}

Status SqlJobStore::renew(int64_t id, const std::string& owner, Micros lease_until) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec(
        "UPDATE jobs SET lease_until = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
        {lease_until, id, owner});
    COFFER_RETURN_IF_ERROR(n);
    return *n == 1 ? Status::ok() : lease_lost();
  });
}

Status SqlJobStore::complete(int64_t id, const std::string& owner, Micros now) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec(
        "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ? "
        "WHERE id = ? AND state = 'running' AND lease_owner = ?",
        {now, id, owner});
    COFFER_RETURN_IF_ERROR(n);
    if (*n != 1) return lease_lost();
    return release_pending(conn, id);
  });
}

Status SqlJobStore::fail(int64_t id, const std::string& owner, const std::string& error,
                         Micros retry_at, bool dead, Micros now) {
  return db_.transact(TxMode::kWrite, [&](Connection& conn) -> Status {
    auto n = conn.exec(
        "UPDATE jobs SET state = ?, run_at = ?, last_error = ?, lease_owner = NULL, "
        "lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
        {dead ? "dead" : "queued", retry_at, printable(error), now, id, owner});
    COFFER_RETURN_IF_ERROR(n);
    if (*n != 1) return lease_lost();
    return dead ? release_pending(conn, id) : Status::ok();
  });
}

Result<std::vector<JobCount>> SqlJobStore::counts() {
  using Out = std::vector<JobCount>;
  return transact_value<Out>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Out> {
    auto rows = conn.query(
        "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state");
    COFFER_RETURN_IF_ERROR(rows);
    Out out;
    for (const Row& row : *rows) {
      out.push_back(JobCount{row.text(0), parse_job_state(row.text(1)).value_or(JobState::kQueued),
                             row.int64(2)});
    }
    return out;
  });
}

Result<std::vector<Job>> SqlJobStore::list(std::optional<JobState> state, int limit) {
  using Out = std::vector<Job>;
  return transact_value<Out>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Out> {
    if (state) {
      return jobs_from(conn.query(job_sql("SELECT ",
                                          " FROM jobs WHERE state = ? "
                                          "ORDER BY id DESC LIMIT ?"),
                                  {job_state_name(*state), limit}));
    }
    return jobs_from(
        conn.query(job_sql("SELECT ", " FROM jobs ORDER BY id DESC LIMIT ?"), {limit}));
  });
}

Result<std::vector<Job>> SqlJobStore::failures(int limit) {
  using Out = std::vector<Job>;
  return transact_value<Out>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Out> {
    return jobs_from(conn.query(job_sql("SELECT ",
                                        " FROM jobs WHERE last_error IS NOT NULL "
                                        "AND state IN ('queued', 'running', 'dead') "
                                        "ORDER BY updated_at DESC, id DESC LIMIT ?"),
                                {limit}));
  });
}

Result<Job> SqlJobStore::get(int64_t id) {
  return transact_value<Job>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Job> {
    auto row = conn.query_row(job_sql("SELECT ", " FROM jobs WHERE id = ?"), {id});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "no such job");
    return job_from_row(**row);
  });
}

Result<Job> SqlJobStore::retry(int64_t id, Micros now) {
  return transact_value<Job>(db_, TxMode::kWrite, [&](Connection& conn) -> Result<Job> {
    auto row = conn.query_row("SELECT state FROM jobs WHERE id = ?", {id});
    COFFER_RETURN_IF_ERROR(row);
    if (!*row) return Status(Errc::kNotFound, "no such job");
    if ((*row)->text(0) != "dead") return Status(Errc::kConflict, "only a dead job can be retried");
    COFFER_RETURN_IF_ERROR(conn.exec(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE id = ?",
        {now, now, id}));
    auto job = conn.query_row(job_sql("SELECT ", " FROM jobs WHERE id = ?"), {id});
    COFFER_RETURN_IF_ERROR(job);
    return job_from_row(**job);
  });
}

Result<int64_t> SqlJobStore::prune_done(Micros cutoff) {
  return transact_value<int64_t>(db_, TxMode::kWrite, [&](Connection& conn) {
    return conn.exec("DELETE FROM jobs WHERE state = 'done' AND updated_at < ?", {cutoff});
  });
}

Result<std::optional<JobState>> SqlJobStore::content_state(const std::string& kind,
                                                           const std::string& sha256) {
  using Out = std::optional<JobState>;
  return transact_value<Out>(db_, TxMode::kRead, [&](Connection& conn) -> Result<Out> {
    auto rows =
        conn.query("SELECT DISTINCT state FROM jobs WHERE kind = ? AND sha256 = ?", {kind, sha256});
    COFFER_RETURN_IF_ERROR(rows);
    Out best;
    auto rank = [](JobState s) {
      switch (s) {
        case JobState::kRunning:
        case JobState::kQueued:
          return 3;
        case JobState::kDead:
          return 2;
        case JobState::kDone:
          return 1;
      }
      return 0;
    };
    for (const Row& row : *rows) {
      auto s = parse_job_state(row.text(0));
      if (s && (!best || rank(*s) > rank(*best))) best = s;
    }
    return best;
  });
}

}  // namespace coffer::meta
