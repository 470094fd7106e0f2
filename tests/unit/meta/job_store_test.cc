// The persistent job queue (meta::JobStore) on SQLite, and on PostgreSQL under ctest's
// meta_on_postgres: enqueue with the commit, claim, lease expiry, retry backoff, dead letter.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "meta/migrations.h"
#include "meta/sql_catalog.h"
#include "temp_dir.h"
#include "test_database.h"

namespace coffer::meta {
namespace {

using testing::TempDir;

const std::vector<std::string> kThumb = {std::string(kJobThumbnail)};

class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::open_empty_test_database(dir_.file("meta.db"));
    ASSERT_TRUE(db.is_ok()) << db.status().to_string();
    ASSERT_TRUE(migrate(**db).is_ok());
    catalog_ = std::make_unique<SqlCatalog>(std::move(*db));
    auto user = catalog_->create_user("alice", "$argon2id$x", Role::kUser);
    ASSERT_TRUE(user.is_ok());
    alice_ = *user;
  }

  // Commits a file whose version asks for `kinds`.
  Node commit(const std::string& name, std::vector<std::string> kinds, char content = 'c') {
    NewVersion v;
    v.size = 10;
    v.sha256 = std::string(64, content);
    v.mime = "image/png";
    v.chunks.push_back(VersionChunk{std::string(64, content), 0, 10, 10, 0});
    v.jobs = std::move(kinds);
    auto node = catalog_->commit_file(alice_.id, alice_.root_id, name, v, 1000);
    EXPECT_TRUE(node.is_ok()) << node.status().to_string();
    return node.is_ok() ? *node : Node{};
  }

  DocStatus status_of_node(int64_t id) {
    auto a = catalog_->attributes(alice_.id, id);
    EXPECT_TRUE(a.is_ok());
    return a.is_ok() ? a->status : DocStatus::kError;
  }

  std::optional<Job> claim(const std::string& owner, Micros now, Micros lease = 1'000'000,
                           const std::vector<std::string>& kinds = kThumb) {
    auto job = jobs().claim(kinds, owner, now, now + lease);
    EXPECT_TRUE(job.is_ok()) << job.status().to_string();
    return job.is_ok() ? *job : std::nullopt;
  }

  JobStore& jobs() { return catalog_->jobs(); }

  TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
  User alice_;
};

TEST_F(JobQueueTest, CommitEnqueuesInItsTransactionAndHoldsTheNodePending) {
  Node node = commit("a.png", kThumb);
  EXPECT_EQ(status_of_node(node.id), DocStatus::kPending);
  auto job = claim("w1", 2000);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->kind, kJobThumbnail);
  EXPECT_EQ(job->node_id, node.id);
  EXPECT_EQ(job->version_id, node.version_id);
  EXPECT_EQ(job->sha256, node.sha256);
  EXPECT_EQ(job->owner_id, alice_.id);
  EXPECT_EQ(job->state, JobState::kRunning);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_EQ(job->lease_owner, "w1");
  EXPECT_FALSE(claim("w2", 2000)) << "a leased job is not handed out twice";

  ASSERT_TRUE(jobs().complete(job->id, "w1", 3000).is_ok());
  EXPECT_EQ(jobs().get(job->id)->state, JobState::kDone);
  EXPECT_EQ(status_of_node(node.id), DocStatus::kActive);
  EXPECT_FALSE(claim("w2", 4000));
}

TEST_F(JobQueueTest, FailedCommitEnqueuesNothing) {
  ASSERT_TRUE(catalog_->create_folder(alice_.id, alice_.root_id, "taken", 1000).is_ok());
  NewVersion v;
  v.size = 0;
  v.sha256 = std::string(64, 'e');
  v.jobs = kThumb;
  auto node = catalog_->commit_file(alice_.id, alice_.root_id, "taken", v, 1000);
  EXPECT_EQ(node.status().code(), Errc::kNameConflict);
  EXPECT_FALSE(claim("w1", 2000));
  EXPECT_TRUE(jobs().counts()->empty());
}

TEST_F(JobQueueTest, VersionWithoutJobsStaysActive) {
  Node node = commit("plain.bin", {});
  EXPECT_EQ(status_of_node(node.id), DocStatus::kActive);
  EXPECT_FALSE(claim("w1", 2000));
}

TEST_F(JobQueueTest, ClaimOnlyTakesTheKindsAsked) {
  commit("a.txt", {std::string(kJobText)});
  EXPECT_FALSE(claim("w1", 2000, 1'000'000, kThumb)) << "no text handler here: left queued";
  auto job = claim("w1", 2000, 1'000'000, {std::string(kJobText)});
  ASSERT_TRUE(job);
  EXPECT_EQ(job->kind, kJobText);
}

TEST_F(JobQueueTest, FailedAttemptWaitsForItsRetryTime) {
  commit("a.png", kThumb);
  auto job = claim("w1", 2000);
  ASSERT_TRUE(job);
  ASSERT_TRUE(jobs().fail(job->id, "w1", "decoder said no", 10'000, false, 2500).is_ok());
  auto failed = jobs().get(job->id);
  EXPECT_EQ(failed->state, JobState::kQueued);
  EXPECT_EQ(failed->last_error, "decoder said no");
  EXPECT_FALSE(claim("w1", 9'999)) << "not before its backoff";
  auto again = claim("w2", 10'000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  auto failures = jobs().failures(10);
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].id, job->id);
}

TEST_F(JobQueueTest, DeadJobReleasesTheNodeAndCanBeRetried) {
  Node node = commit("a.png", kThumb);
  auto job = claim("w1", 2000);
  ASSERT_TRUE(job);
  EXPECT_EQ(jobs().retry(job->id, 2100).status().code(), Errc::kConflict) << "only dead jobs";
  ASSERT_TRUE(jobs().fail(job->id, "w1", "corrupt", 3000, true, 3000).is_ok());
  EXPECT_EQ(jobs().get(job->id)->state, JobState::kDead);
  EXPECT_EQ(status_of_node(node.id), DocStatus::kActive) << "a dead job never blocks the file";
  EXPECT_FALSE(claim("w1", 1'000'000'000)) << "dead jobs are never claimed";
  EXPECT_EQ(*jobs().content_state(std::string(kJobThumbnail), node.sha256), JobState::kDead);

  auto retried = jobs().retry(job->id, 5000);
  ASSERT_TRUE(retried.is_ok());
  EXPECT_EQ(retried->state, JobState::kQueued);
  EXPECT_EQ(retried->attempts, 0);
  EXPECT_EQ(*jobs().content_state(std::string(kJobThumbnail), node.sha256), JobState::kQueued);
  auto again = claim("w2", 5000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(jobs().retry(999999, 5000).status().code(), Errc::kNotFound);
}

TEST_F(JobQueueTest, ExpiredLeaseIsReclaimedAndTheOldOwnerLosesIt) {
  commit("a.png", kThumb);
  auto first = claim("dead-node", 2000, 10'000);  // lease until 12000
  ASSERT_TRUE(first);
  EXPECT_FALSE(claim("w2", 11'999)) << "the lease still holds";
  auto second = claim("w2", 12'001);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(second->lease_owner, "w2");
  EXPECT_EQ(jobs().complete(first->id, "dead-node", 13'000).code(), Errc::kNotFound);
  EXPECT_EQ(jobs().renew(first->id, "dead-node", 20'000).code(), Errc::kNotFound);
  EXPECT_EQ(jobs().fail(first->id, "dead-node", "x", 0, false, 13'000).code(), Errc::kNotFound);
  ASSERT_TRUE(jobs().renew(first->id, "w2", 50'000).is_ok());
  EXPECT_FALSE(claim("w3", 40'000)) << "renewed";
  ASSERT_TRUE(jobs().complete(first->id, "w2", 41'000).is_ok());
}

TEST_F(JobQueueTest, PruningForgetsOldDoneJobsOnly) {
  commit("a.png", kThumb, 'a');
  commit("b.png", kThumb, 'b');
  auto done = claim("w1", 2000);
  ASSERT_TRUE(done);
  ASSERT_TRUE(jobs().complete(done->id, "w1", 3000).is_ok());
  auto dead = claim("w1", 2000);
  ASSERT_TRUE(dead);
  ASSERT_TRUE(jobs().fail(dead->id, "w1", "x", 0, true, 3000).is_ok());
  EXPECT_EQ(*jobs().prune_done(3000), 0) << "not older than the cutoff";
  EXPECT_EQ(*jobs().prune_done(3001), 1);
  EXPECT_EQ(jobs().get(done->id).status().code(), Errc::kNotFound);
  EXPECT_EQ(jobs().get(dead->id)->state, JobState::kDead);
}

TEST_F(JobQueueTest, CountsByKindAndState) {
  commit("a.png", kThumb, 'a');
  commit("b.png", kThumb, 'b');
  commit("c.txt", {std::string(kJobText)}, 'c');
  auto job = claim("w1", 2000);
  ASSERT_TRUE(job);
  std::map<std::pair<std::string, JobState>, int64_t> counts;
  auto all = jobs().counts();
  ASSERT_TRUE(all.is_ok());
  for (const JobCount& c : *all) counts[{c.kind, c.state}] = c.count;
  EXPECT_EQ((counts[{"thumbnail", JobState::kQueued}]), 1);
  EXPECT_EQ((counts[{"thumbnail", JobState::kRunning}]), 1);
  EXPECT_EQ((counts[{"text", JobState::kQueued}]), 1);
  EXPECT_EQ(jobs().list(JobState::kRunning, 10)->size(), 1u);
  EXPECT_EQ(jobs().list(std::nullopt, 10)->size(), 3u);
}

TEST_F(JobQueueTest, ConcurrentWorkersClaimEachJobOnce) {
  constexpr int kJobs = 40;
  for (int i = 0; i < kJobs; ++i) commit("f" + std::to_string(i) + ".png", kThumb, 'a' + (i % 20));
  std::mutex mu;
  std::map<int64_t, int> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      const std::string owner = "w" + std::to_string(w);
      for (;;) {
        auto job = jobs().claim(kThumb, owner, 5000, 1'000'000'000);
        ASSERT_TRUE(job.is_ok()) << job.status().to_string();
        if (!*job) return;
        {
          std::lock_guard lock(mu);
          ++claimed[(*job)->id];
        }
        ASSERT_TRUE(jobs().complete((*job)->id, owner, 6000).is_ok());
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  for (const auto& [id, n] : claimed) EXPECT_EQ(n, 1) << "job " << id;
}

TEST(MediaStoreTest, ThumbnailsAreSharedByContentAndKeptFromGarbageCollection) {
  TempDir dir;
  auto db = testing::open_empty_test_database(dir.file("meta.db"));
  ASSERT_TRUE(db.is_ok());
  ASSERT_TRUE(migrate(**db).is_ok());
  SqlCatalog catalog(std::move(*db));
  auto user = catalog.create_user("bob", "$argon2id$x", Role::kUser);
  ASSERT_TRUE(user.is_ok());
  NewVersion v;
  v.size = 10;
  v.sha256 = std::string(64, 's');
  v.mime = "image/png";
  v.chunks.push_back(VersionChunk{std::string(64, '1'), 0, 10, 10, 0});
  auto node = catalog.commit_file(user->id, user->root_id, "p.png", v, 1000);
  ASSERT_TRUE(node.is_ok());

  Thumbnail t{
      v.sha256, "small", "image/webp",         256,
      128,      5,       std::string(64, 't'), {VersionChunk{std::string(64, '2'), 0, 5, 5, 0}}};
  MediaInfo info{1024, 512, "Maker", "Model", "2024:05:01 10:00:00"};
  ASSERT_TRUE(catalog.media().save(v.sha256, info, {t}, 2000).is_ok());
  ASSERT_TRUE(catalog.media().save(v.sha256, info, {t}, 2001).is_ok()) << "idempotent";
  auto stored = catalog.media().thumbnail(v.sha256, "small");
  ASSERT_TRUE(stored.is_ok() && *stored);
  EXPECT_EQ((*stored)->width, 256);
  ASSERT_EQ((*stored)->chunks.size(), 1u);
  EXPECT_EQ((*stored)->chunks[0].chunk, std::string(64, '2'));
  EXPECT_TRUE(*catalog.media().has_thumbnails(v.sha256, {"small"}));
  EXPECT_FALSE(*catalog.media().has_thumbnails(v.sha256, {"small", "large"}));
  // A page of contents at once: more than one slice of parameters, most without thumbnails.
  std::vector<std::string> page;
  for (int i = 0; i < 250; ++i) page.push_back(std::string(63, 'x') + std::to_string(i % 10));
  page.push_back(v.sha256);
  EXPECT_EQ(*catalog.media().with_thumbnails(page), std::set<std::string>{v.sha256});
  EXPECT_TRUE(catalog.media().with_thumbnails({})->empty());
  EXPECT_EQ((*catalog.media().media_info(v.sha256))->camera_model, "Model");

  std::set<std::string> referenced;
  ASSERT_TRUE(catalog
                  .for_each_referenced_chunk([&](const std::string& c) {
                    referenced.insert(c);
                    return Status::ok();
                  })
                  .is_ok());
  EXPECT_TRUE(referenced.contains(std::string(64, '2'))) << "GC must keep thumbnail chunks";

  EXPECT_EQ(*catalog.media().prune_orphans(), 0) << "the content still has a version";
  ASSERT_TRUE(catalog.delete_node(user->id, node->id, 3000, 0).is_ok());
  ASSERT_TRUE(catalog.empty_trash(user->id).is_ok());
  EXPECT_EQ(*catalog.media().prune_orphans(), 1);
  EXPECT_FALSE(*catalog.media().thumbnail(v.sha256, "small"));
}

}  // namespace
}  // namespace coffer::meta
