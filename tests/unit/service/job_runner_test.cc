// JobRunner over a real SQLite queue: retries with backoff, the dead letter after
// max_attempts, a handler past its time limit, jobs abandoned by workers that died.

#include "service/job_runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "../meta/temp_dir.h"
#include "meta/catalog.h"

namespace coffer::service {
namespace {

class ScriptedHandler : public JobHandler {
 public:
  bool wants(std::string_view mime, uint64_t) const override { return mime == "image/png"; }
  Status run(const Job&, const JobControl& control) override {
    ++calls;
    if (wait_for_cancel) {
      // Stands for a decoder stuck on a hostile file: it only stops when told to.
      for (int i = 0; i < 3000 && !control.cancelled(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return Status::ok();
    }
    if (throws) throw std::runtime_error("boom");
    if (unusable_input) return Status(Errc::kInvalidArgument, "cannot decode the image");
    return fail ? Status(Errc::kIoError, "storage unreachable") : Status::ok();
  }
  std::atomic<int> calls{0};
  bool fail = false;  // with an error another attempt may not see
  bool unusable_input = false;
  bool throws = false;
  bool wait_for_cancel = false;
};

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = meta::open_sqlite_catalog(dir_.file("meta.db"));
    ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
    catalog_ = std::move(*catalog);
    auto user = catalog_->create_user("alice", "$argon2id$x", Role::kUser);
    ASSERT_TRUE(user.is_ok());
    alice_ = *user;
    registry_.add(std::string(kJobThumbnail), handler_);
  }

  Node commit_image(const std::string& name) {
    NewVersion v;
    v.size = 10;
    v.sha256 = std::string(64, 'a');
    v.mime = "image/png";
    v.chunks.push_back(VersionChunk{std::string(64, 'a'), 0, 10, 10, 0});
    v.jobs = registry_.kinds_for(v.mime, v.size);
    auto node = catalog_->commit_file(alice_.id, alice_.root_id, name, v, now_micros());
    EXPECT_TRUE(node.is_ok());
    return node.is_ok() ? *node : Node{};
  }

  Job only_job() {
    auto jobs = catalog_->jobs().list(std::nullopt, 10);
    EXPECT_TRUE(jobs.is_ok());
    EXPECT_EQ(jobs->size(), 1u);
    return jobs->empty() ? Job{} : jobs->front();
  }

  JobRunnerOptions options() {
    JobRunnerOptions o;
    o.worker_id = "test";
    o.max_attempts = 3;
    o.backoff_base_micros = 0;  // retries are due at once, so run_one can drive them
    return o;
  }

  meta::testing::TempDir dir_;
  std::unique_ptr<meta::Catalog> catalog_;
  User alice_;
  JobRegistry registry_;
  std::shared_ptr<ScriptedHandler> handler_ = std::make_shared<ScriptedHandler>();
};

TEST(JobBackoffTest, DoublesFromTheBaseUpToTheMaximum) {
  EXPECT_EQ(job_backoff_micros(1, 10, 1000), 10);
  EXPECT_EQ(job_backoff_micros(2, 10, 1000), 20);
  EXPECT_EQ(job_backoff_micros(4, 10, 1000), 80);
  EXPECT_EQ(job_backoff_micros(30, 10, 1000), 1000);
  EXPECT_EQ(job_backoff_micros(1000, 10'000'000, 3'600'000'000), 3'600'000'000);
}

TEST_F(JobRunnerTest, RegistryAsksHandlersWhichKindsAVersionNeeds) {
  EXPECT_EQ(registry_.kinds_for("image/png", 10), std::vector<std::string>{"thumbnail"});
  EXPECT_TRUE(registry_.kinds_for("text/plain", 10).empty());
  EXPECT_EQ(registry_.find("text"), nullptr);
}

TEST_F(JobRunnerTest, SuccessfulJobIsDoneAndTheFileActive) {
  Node node = commit_image("a.png");
  JobRunner runner(catalog_->jobs(), registry_, options());
  EXPECT_TRUE(*runner.run_one());
  EXPECT_FALSE(*runner.run_one());
  EXPECT_EQ(handler_->calls, 1);
  EXPECT_EQ(only_job().state, JobState::kDone);
  EXPECT_EQ(catalog_->attributes(alice_.id, node.id)->status, DocStatus::kActive);
}

TEST_F(JobRunnerTest, FailingJobIsRetriedThenDead) {
  handler_->fail = true;
  commit_image("a.png");
  JobRunner runner(catalog_->jobs(), registry_, options());
  EXPECT_TRUE(*runner.run_one());
  Job job = only_job();
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.attempts, 1);
  EXPECT_NE(job.last_error.find("storage unreachable"), std::string::npos);
  EXPECT_TRUE(*runner.run_one());
  EXPECT_TRUE(*runner.run_one());
  EXPECT_FALSE(*runner.run_one()) << "dead jobs are not run again";
  EXPECT_EQ(handler_->calls, 3);
  EXPECT_EQ(only_job().state, JobState::kDead);
}

TEST_F(JobRunnerTest, JobWhoseInputIsUnusableIsDeadAtOnce) {
  handler_->unusable_input = true;
  const Node node = commit_image("corrupt.png");
  JobRunner runner(catalog_->jobs(), registry_, options());
  EXPECT_TRUE(*runner.run_one());
  EXPECT_FALSE(*runner.run_one()) << "a corrupt file fails the same way every time";
  EXPECT_EQ(handler_->calls, 1);
  const Job job = only_job();
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_NE(job.last_error.find("cannot decode"), std::string::npos);
  EXPECT_EQ(catalog_->attributes(alice_.id, node.id)->status, DocStatus::kActive)
      << "the file leaves pending at once";
}

TEST_F(JobRunnerTest, RetryWaitsForTheBackoff) {
  handler_->fail = true;
  commit_image("a.png");
  JobRunnerOptions o = options();
  o.backoff_base_micros = 3600'000'000;
  JobRunner runner(catalog_->jobs(), registry_, o);
  const Micros before = now_micros();
  EXPECT_TRUE(*runner.run_one());
  EXPECT_FALSE(*runner.run_one()) << "not due for an hour";
  EXPECT_GE(only_job().run_at, before + 3600'000'000);
}

TEST_F(JobRunnerTest, ThrowingHandlerIsAFailedAttempt) {
  handler_->throws = true;
  commit_image("a.png");
  JobRunner runner(catalog_->jobs(), registry_, options());
  EXPECT_TRUE(*runner.run_one());
  EXPECT_NE(only_job().last_error.find("boom"), std::string::npos);
}

TEST_F(JobRunnerTest, JobAbandonedByCrashedWorkersGoesDead) {
  commit_image("a.png");
  // Three workers claimed it and vanished (a file that kills its worker): their leases lapse.
  Micros t = now_micros();
  for (int i = 0; i < 3; ++i) {
    auto job = catalog_->jobs().claim({"thumbnail"}, "crashed" + std::to_string(i), t, t + 1);
    ASSERT_TRUE(job.is_ok() && *job);
    t += 10;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // past the last lease
  JobRunner runner(catalog_->jobs(), registry_, options());
  EXPECT_TRUE(*runner.run_one());
  EXPECT_EQ(handler_->calls, 0) << "not tried a fourth time";
  Job job = only_job();
  EXPECT_EQ(job.state, JobState::kDead);
  EXPECT_NE(job.last_error.find("abandoned"), std::string::npos);
}

TEST_F(JobRunnerTest, HandlerPastItsTimeLimitIsCancelledAndFails) {
  handler_->wait_for_cancel = true;
  commit_image("a.png");
  JobRunnerOptions o = options();
  o.time_limit_micros = 100'000;
  o.lease_micros = 60'000'000;
  o.poll_micros = 10'000;
  o.backoff_base_micros = 3600'000'000;
  JobRunner runner(catalog_->jobs(), registry_, o);
  runner.start();
  for (int i = 0; i < 3000 && only_job().attempts == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int i = 0; i < 3000 && only_job().state == JobState::kRunning; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  runner.stop();
  Job job = only_job();
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_NE(job.last_error.find("time limit"), std::string::npos) << job.last_error;
}

}  // namespace
}  // namespace coffer::service
