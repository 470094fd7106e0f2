// The audit chain's rules: every kind of tampering an intruder with write access to the
// database can do shows up as the first broken entry.

#include "core/audit_chain.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace coffer {
namespace {

// A chain of `n` entries with ids 1..n, hashed as the store does.
std::vector<AuditEvent> chain(int n) {
  std::vector<AuditEvent> entries;
  std::string prev(kAuditGenesisHash);
  for (int i = 1; i <= n; ++i) {
    AuditEvent e;
    e.id = i;
    e.at = 1000 + i;
    e.actor_id = i % 3;
    e.action = "auth.login";
    e.target = "user:" + std::to_string(i);
    e.outcome = "success";
    e.ip = "127.0.0.1";
    e.user_agent = "test";
    e.request_id = "r" + std::to_string(i);
    e.detail = "entry " + std::to_string(i);
    e.prev_hash = prev;
    e.entry_hash = audit_entry_hash(prev, e);
    prev = e.entry_hash;
    entries.push_back(e);
  }
  return entries;
}

// A seal over `entry`; "authentic" to the predicate below unless its signature says "forged".
AuditSeal seal_of(const AuditEvent& entry, int64_t id) {
  return AuditSeal{id, entry.id, entry.entry_hash, 5000, "key", "good"};
}

AuditVerification verify(const std::vector<AuditEvent>& entries,
                         std::vector<AuditSeal> seals = {}) {
  AuditChainVerifier verifier(std::move(seals),
                              [](const AuditSeal& s) { return s.signature == "good"; });
  for (const AuditEvent& e : entries) {
    if (!verifier.add(e)) break;
  }
  return verifier.finish();
}

TEST(AuditChainTest, AnIntactChainWithSealsIsProven) {
  auto entries = chain(5);
  auto v = verify(entries, {seal_of(entries[2], 1), seal_of(entries[4], 2)});
  ASSERT_TRUE(v.intact()) << v.broken->reason;
  EXPECT_EQ(v.entries, 5);
  EXPECT_EQ(v.seals, 2);
  EXPECT_EQ(v.head_id, 5);
  EXPECT_EQ(v.sealed_through, 5);
  EXPECT_EQ(v.head_hash, entries[4].entry_hash);
}

TEST(AuditChainTest, TheHashCoversEveryFieldAndThePreviousHash) {
  const AuditEvent base = chain(1)[0];
  const std::string h = audit_entry_hash(kAuditGenesisHash, base);
  ASSERT_EQ(h.size(), 64u);
  auto differs = [&](auto&& change) {
    AuditEvent e = base;
    change(e);
    return audit_entry_hash(kAuditGenesisHash, e) != h;
  };
  EXPECT_TRUE(differs([](AuditEvent& e) { e.id = 2; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.at += 1; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.actor_id = 7; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.action = "auth.logout"; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.target += "x"; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.outcome = "failure"; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.ip = "10.0.0.1"; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.user_agent = ""; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.request_id = "other"; }));
  EXPECT_TRUE(differs([](AuditEvent& e) { e.detail = "changed"; }));
  // Length prefixes: moving a byte from one field to the next changes the hash.
  EXPECT_TRUE(differs([](AuditEvent& e) {
    e.ip = "127.0.0.1t";
    e.user_agent = "est";
  }));
  // The stored hashes themselves are not part of the content.
  EXPECT_FALSE(differs([](AuditEvent& e) { e.entry_hash = "x"; }));
  EXPECT_NE(audit_entry_hash(std::string(64, '1'), base), h);
  EXPECT_EQ(audit_entry_hash("not a hash", base), "");
}

TEST(AuditChainTest, AnEditedEntryIsTheFirstBroken) {
  auto entries = chain(5);
  entries[2].detail = "rewritten";
  auto v = verify(entries);
  ASSERT_FALSE(v.intact());
  EXPECT_EQ(v.broken->entry_id, 3);
}

TEST(AuditChainTest, ADeletedEntryBreaksTheNextOne) {
  auto entries = chain(5);
  entries.erase(entries.begin() + 2);
  auto v = verify(entries);
  ASSERT_FALSE(v.intact());
  EXPECT_EQ(v.broken->entry_id, 4);
}

TEST(AuditChainTest, ReorderedEntriesBreakTheChain) {
  auto entries = chain(5);
  std::swap(entries[1].id, entries[2].id);
  std::swap(entries[1], entries[2]);
  auto v = verify(entries);
  ASSERT_FALSE(v.intact());
  EXPECT_EQ(v.broken->entry_id, 2);
}

TEST(AuditChainTest, ARewrittenTailIsCaughtByTheSealOverIt) {
  auto entries = chain(6);
  const auto seal1 = seal_of(entries[1], 1);
  const auto seal2 = seal_of(entries[5], 2);
  // Entry 4 edited and every later hash recomputed, as an intruder without the key can.
  entries[3].detail = "rewritten";
  for (size_t i = 3; i < entries.size(); ++i) {
    entries[i].prev_hash = entries[i - 1].entry_hash;
    entries[i].entry_hash = audit_entry_hash(entries[i].prev_hash, entries[i]);
  }
  auto v = verify(entries, {seal1, seal2});
  ASSERT_FALSE(v.intact());
  // The first entry the earlier seal does not cover.
  EXPECT_EQ(v.broken->entry_id, 3);
  // Without seals, nothing shows.
  EXPECT_TRUE(verify(entries).intact());
}

TEST(AuditChainTest, AForgedSealIsABreakWhereItPoints) {
  auto entries = chain(5);
  auto forged = seal_of(entries[3], 1);
  forged.signature = "forged";
  auto v = verify(entries, {forged});
  ASSERT_FALSE(v.intact());
  EXPECT_EQ(v.broken->entry_id, 4);
  EXPECT_NE(v.broken->reason.find("forged"), std::string::npos);
}

TEST(AuditChainTest, TruncationUpToTheLastSealIsDetectedAndAfterItIsNot) {
  auto entries = chain(6);
  const auto seal = seal_of(entries[3], 1);
  auto cut_after_seal = entries;
  cut_after_seal.resize(4);
  EXPECT_TRUE(verify(cut_after_seal, {seal}).intact());
  auto cut_into_seal = entries;
  cut_into_seal.resize(3);
  auto v = verify(cut_into_seal, {seal});
  ASSERT_FALSE(v.intact());
  EXPECT_EQ(v.broken->entry_id, 4);
}

TEST(AuditChainTest, EntriesBeforeTheChainAreLegacyButNotAfterIt) {
  AuditEvent legacy;
  legacy.id = 1;
  legacy.action = "auth.login";
  auto entries = chain(4);
  entries.erase(entries.begin());  // ids 2..4, the first of them following the genesis hash
  entries[0].prev_hash = std::string(kAuditGenesisHash);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) entries[i].prev_hash = entries[i - 1].entry_hash;
    entries[i].entry_hash = audit_entry_hash(entries[i].prev_hash, entries[i]);
  }
  std::vector<AuditEvent> all{legacy};
  all.insert(all.end(), entries.begin(), entries.end());
  auto v = verify(all);
  ASSERT_TRUE(v.intact()) << v.broken->reason;
  EXPECT_EQ(v.legacy_entries, 1);
  EXPECT_EQ(v.entries, 3);
  // Stripping an entry's hashes to pass it off as legacy breaks the chain there.
  all[2].prev_hash.clear();
  all[2].entry_hash.clear();
  auto stripped = verify(all);
  ASSERT_FALSE(stripped.intact());
  EXPECT_EQ(stripped.broken->entry_id, 3);
}

TEST(AuditChainTest, TheSealMessageCoversHeadAndTime) {
  auto entries = chain(1);
  AuditSeal seal = seal_of(entries[0], 1);
  const std::string message = audit_seal_message(seal);
  EXPECT_FALSE(message.empty());
  AuditSeal later = seal;
  later.sealed_at += 1;
  EXPECT_NE(audit_seal_message(later), message);
  AuditSeal other = seal;
  other.head_id = 2;
  EXPECT_NE(audit_seal_message(other), message);
  other = seal;
  other.head_hash = std::string(64, 'a');
  EXPECT_NE(audit_seal_message(other), message);
}

}  // namespace
}  // namespace coffer
