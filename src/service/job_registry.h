#pragma once
// Job handlers by kind (core/job.h). A feature registers its handler once at start-up; the
// upload path asks which kinds want a new content (kinds_for) and enqueues them with the
// commit, and JobRunner runs claimed jobs through run(). The queue itself knows no kind.
//
// Thread-safety: add() only before the runner starts; everything else is const and may be
// called from any thread.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "core/status.h"

namespace coffer::service {

// What a running job may ask of the runner.
class JobControl {
 public:
  virtual ~JobControl() = default;
  // True once the job has passed its time limit or the server is stopping: the handler should
  // give up soon (its result is then discarded and the attempt counts as failed).
  virtual bool cancelled() const = 0;
  // The flag behind cancelled(), for code that polls an atomic (e.g. a decoder's progress
  // callback).
  virtual const std::atomic<bool>& cancel_flag() const = 0;
};

// kInvalidArgument, kUnsupportedMediaType, kPayloadTooLarge and kFileTooLarge: the content
// is corrupt, of a kind the handler refuses, or over a limit. Everything else (storage,
// database, time limits, cancellation) may succeed on another attempt.
bool is_permanent_job_failure(const Status& status);

class JobHandler {
 public:
  virtual ~JobHandler() = default;
  // Whether a new version with this sniffed MIME type needs this kind of job.
  virtual bool wants(std::string_view mime, uint64_t size) const = 0;
  // Does the work. OK: done. An error: the attempt failed (retried with backoff, dead after
  // the configured number of attempts); the message is shown to operators, so no secrets.
  // Errors that say the input itself is unusable (is_permanent_job_failure) are dead at once:
  // a corrupt image fails the same way every time, and retrying it only keeps its file
  // `pending` for minutes.
  // Must be idempotent: a job may run again after a crash or a lost lease.
  virtual Status run(const Job& job, const JobControl& control) = 0;
};

class JobRegistry {
 public:
  void add(std::string kind, std::shared_ptr<JobHandler> handler);
  JobHandler* find(std::string_view kind) const;
  // The kinds whose handler wants a version of this type and size, in kind order.
  std::vector<std::string> kinds_for(std::string_view mime, uint64_t size) const;
  // Every registered kind.
  std::vector<std::string> kinds() const;

 private:
  std::map<std::string, std::shared_ptr<JobHandler>, std::less<>> handlers_;
};

}  // namespace coffer::service
