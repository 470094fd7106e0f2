#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "core/natural_sort.h"
#include "meta/migrations.h"
#include "meta/sql_catalog.h"
#include "temp_dir.h"
#include "test_database.h"

namespace coffer::meta {
namespace {

using testing::TempDir;

// A version of `size` bytes made of the given chunks, each `size / n` bytes.
NewVersion make_version(uint64_t size, std::vector<std::string> chunks, std::string sha = "") {
  NewVersion v;
  v.size = size;
  v.sha256 = sha.empty() ? std::string(64, 'a') : sha;
  v.mime = "application/octet-stream";
  uint64_t offset = 0;
  const uint32_t each = chunks.empty() ? 0 : static_cast<uint32_t>(size / chunks.size());
  for (auto& c : chunks) {
    v.chunks.push_back(VersionChunk{std::move(c), offset, each, each / 2, 1});
    offset += each;
  }
  return v;
}

std::string chunk_id(char c) { return std::string(64, c); }

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::open_empty_test_database(dir_.file("meta.db"));
    ASSERT_TRUE(db.is_ok()) << db.status().to_string();
    ASSERT_TRUE(migrate(**db).is_ok());
    catalog_ = std::make_unique<SqlCatalog>(std::move(*db));
    alice_ = make_user("alice");
    bob_ = make_user("bob");
  }

  User make_user(const std::string& name) {
    auto user = catalog_->create_user(name, "$argon2id$hash-of-" + name, Role::kUser);
    EXPECT_TRUE(user.is_ok()) << user.status().to_string();
    return user.is_ok() ? *user : User{};
  }

  Node folder(const User& u, int64_t parent, const std::string& name, Micros now = 1000) {
    auto n = catalog_->create_folder(u.id, parent, name, now);
    EXPECT_TRUE(n.is_ok()) << name << ": " << n.status().to_string();
    return n.is_ok() ? *n : Node{};
  }

  Node file(const User& u, int64_t parent, const std::string& name, const NewVersion& v,
            Micros now = 1000) {
    auto n = catalog_->commit_file(u.id, parent, name, v, now);
    EXPECT_TRUE(n.is_ok()) << name << ": " << n.status().to_string();
    return n.is_ok() ? *n : Node{};
  }

  std::vector<Node> list(const User& u, int64_t parent, ListOptions options = {}) {
    options.limit = 1000;
    auto nodes = catalog_->list_children(u.id, parent, options);
    EXPECT_TRUE(nodes.is_ok()) << nodes.status().to_string();
    return nodes.is_ok() ? *nodes : std::vector<Node>{};
  }

  std::vector<std::string> names(const std::vector<Node>& nodes) {
    std::vector<std::string> out;
    for (const auto& n : nodes) out.push_back(n.name);
    return out;
  }

  std::set<std::string> referenced_chunks() {
    std::set<std::string> out;
    Status s = catalog_->for_each_referenced_chunk([&](const std::string& c) {
      EXPECT_TRUE(out.insert(c).second) << "listed twice: " << c;
      return Status::ok();
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return out;
  }

  std::vector<Catalog::VersionRecord> versions_of(int64_t node_id) {
    std::vector<Catalog::VersionRecord> out;
    Status s = catalog_->for_each_version([&](const Catalog::VersionRecord& v) {
      if (v.node_id == node_id) out.push_back(v);
      return Status::ok();
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return out;
  }

  int64_t count_rows(const std::string& sql) {
    auto n = transact_value<int64_t>(catalog_->database(), TxMode::kRead,
                                     [&](Connection& conn) -> Result<int64_t> {
                                       auto row = conn.query_row(sql);
                                       COFFER_RETURN_IF_ERROR(row);
                                       return (*row)->int64(0);
                                     });
    EXPECT_TRUE(n.is_ok()) << n.status().to_string();
    return n.is_ok() ? *n : -1;
  }

  TempDir dir_;
  std::unique_ptr<SqlCatalog> catalog_;
  User alice_;
  User bob_;
};

TEST_F(CatalogTest, UsernamesAreUnique) {
  auto again = catalog_->create_user("alice", "x", Role::kAdmin);
  ASSERT_FALSE(again.is_ok());
  EXPECT_EQ(again.status().code(), Errc::kAlreadyExists);
  // Byte-exact: a different case is a different name.
  EXPECT_TRUE(catalog_->create_user("Alice", "x", Role::kUser).is_ok());
}

TEST_F(CatalogTest, CreateUserCreatesTheRootFolder) {
  EXPECT_EQ(alice_.username, "alice");
  EXPECT_EQ(alice_.role, Role::kUser);
  EXPECT_EQ(alice_.status, UserStatus::kActive);
  EXPECT_GT(alice_.created, 0);
  ASSERT_NE(alice_.root_id, 0);
  auto root = catalog_->get_node(alice_.id, alice_.root_id);
  ASSERT_TRUE(root.is_ok()) << root.status().to_string();
  EXPECT_EQ(root->kind, NodeKind::kFolder);
  EXPECT_EQ(root->parent_id, 0);
  EXPECT_EQ(root->name, "");
  EXPECT_EQ(root->owner_id, alice_.id);
  EXPECT_NE(alice_.root_id, bob_.root_id);
}

TEST_F(CatalogTest, FindsAndListsUsers) {
  auto by_id = catalog_->find_user(alice_.id);
  ASSERT_TRUE(by_id.is_ok());
  EXPECT_EQ(by_id->username, "alice");
  EXPECT_EQ(by_id->password_hash, "$argon2id$hash-of-alice");
  auto by_name = catalog_->find_user_by_name("bob");
  ASSERT_TRUE(by_name.is_ok());
  EXPECT_EQ(by_name->id, bob_.id);
  EXPECT_EQ(by_name->root_id, bob_.root_id);
  EXPECT_EQ(catalog_->find_user_by_name("carol").status().code(), Errc::kNotFound);
  EXPECT_EQ(catalog_->find_user(9999).status().code(), Errc::kNotFound);

  auto admin = catalog_->create_user("root", "x", Role::kAdmin);
  ASSERT_TRUE(admin.is_ok());
  EXPECT_EQ(admin->role, Role::kAdmin);
  auto users = catalog_->list_users();
  ASSERT_TRUE(users.is_ok());
  ASSERT_EQ(users->size(), 3u);
  EXPECT_EQ((*users)[0].username, "alice");
  EXPECT_EQ((*users)[2].role, Role::kAdmin);
}

TEST_F(CatalogTest, SetsPasswordHash) {
  ASSERT_TRUE(catalog_->set_password_hash(alice_.id, "new-hash").is_ok());
  EXPECT_EQ(catalog_->find_user(alice_.id)->password_hash, "new-hash");
  EXPECT_EQ(catalog_->set_password_hash(9999, "x").code(), Errc::kNotFound);
}

TEST_F(CatalogTest, CreatesFoldersAndFindsChildren) {
  Node docs = folder(alice_, alice_.root_id, "docs", 5);
  EXPECT_EQ(docs.kind, NodeKind::kFolder);
  EXPECT_EQ(docs.parent_id, alice_.root_id);
  EXPECT_EQ(docs.created, 5);
  EXPECT_EQ(docs.modified, 5);
  auto found = catalog_->find_child(alice_.id, alice_.root_id, "docs");
  ASSERT_TRUE(found.is_ok());
  EXPECT_EQ(found->id, docs.id);
  EXPECT_EQ(catalog_->find_child(alice_.id, alice_.root_id, "Docs").status().code(),
            Errc::kNotFound);
  EXPECT_EQ(catalog_->get_node(alice_.id, 9999).status().code(), Errc::kNotFound);
}

TEST_F(CatalogTest, FindsAPathInOneLookUpOnlyWithinTheOwnersTree) {
  Node docs = folder(alice_, alice_.root_id, "docs");
  Node deep = folder(alice_, docs.id, "deep");
  auto found = catalog_->find_path(alice_.id, alice_.root_id, {"docs", "deep"});
  ASSERT_TRUE(found.is_ok());
  EXPECT_EQ(found->id, deep.id);
  EXPECT_EQ(catalog_->find_path(alice_.id, alice_.root_id, {"docs", "nope"}).status().code(),
            Errc::kNotFound);
  // Bob names alice's folder by its id: nothing below it is his.
  EXPECT_EQ(catalog_->find_path(bob_.id, docs.id, {"deep"}).status().code(), Errc::kNotFound);
  EXPECT_EQ(catalog_->find_path(alice_.id, alice_.root_id, {}).status().code(),
            Errc::kInvalidArgument);
}

TEST_F(CatalogTest, NameConflicts) {
  Node docs = folder(alice_, alice_.root_id, "docs");
  file(alice_, alice_.root_id, "a.txt", make_version(10, {chunk_id('1')}));
  EXPECT_EQ(catalog_->create_folder(alice_.id, alice_.root_id, "docs", 1).status().code(),
            Errc::kNameConflict);
  EXPECT_EQ(catalog_->create_folder(alice_.id, alice_.root_id, "a.txt", 1).status().code(),
            Errc::kNameConflict);
  EXPECT_EQ(catalog_->commit_file(alice_.id, alice_.root_id, "docs", make_version(1, {}), 1)
                .status()
                .code(),
            Errc::kNameConflict);
  // The same name in another folder is fine.
  folder(alice_, docs.id, "docs");
  EXPECT_EQ(catalog_->create_folder(alice_.id, alice_.root_id, "", 1).status().code(),
            Errc::kInvalidName);
}

// A keep-both write never adds a version to what is there: the commit takes the first free
// variant of the name, a folder's included, in its own transaction.
TEST_F(CatalogTest, AKeepBothCommitTakesTheFirstFreeVariantOfATakenName) {
  Node original = file(alice_, alice_.root_id, "report.pdf", make_version(10, {chunk_id('1')}));
  folder(alice_, alice_.root_id, "report (2).pdf");
  NewVersion v = make_version(20, {chunk_id('2')});
  v.precondition.keep_both = true;
  auto third = catalog_->commit_file(alice_.id, alice_.root_id, "report.pdf", v, 2);
  ASSERT_TRUE(third.is_ok()) << third.status().to_string();
  EXPECT_EQ(third->name, "report (3).pdf");
  EXPECT_NE(third->id, original.id);
  auto fourth = catalog_->commit_file(alice_.id, alice_.root_id, "report.pdf", v, 3);
  ASSERT_TRUE(fourth.is_ok());
  EXPECT_EQ(fourth->name, "report (4).pdf");
  // A free name is taken as it is.
  auto fresh = catalog_->commit_file(alice_.id, alice_.root_id, "new.txt", v, 4);
  ASSERT_TRUE(fresh.is_ok());
  EXPECT_EQ(fresh->name, "new.txt");
  auto kept = catalog_->find_child(alice_.id, alice_.root_id, "report.pdf");
  ASSERT_TRUE(kept.is_ok());
  EXPECT_EQ(kept->version_id, original.version_id);
}

TEST_F(CatalogTest, ParentMustBeAFolder) {
  Node f = file(alice_, alice_.root_id, "a.txt", make_version(10, {chunk_id('1')}));
  EXPECT_EQ(catalog_->create_folder(alice_.id, f.id, "x", 1).status().code(), Errc::kConflict);
  EXPECT_EQ(catalog_->commit_file(alice_.id, f.id, "x", make_version(1, {}), 1).status().code(),
            Errc::kConflict);
  EXPECT_EQ(catalog_->create_folder(alice_.id, 9999, "x", 1).status().code(), Errc::kNotFound);
  EXPECT_EQ(catalog_->list_children(alice_.id, f.id, {}).status().code(), Errc::kConflict);
}

TEST_F(CatalogTest, CommitFileCreatesThenAddsVersions) {
  NewVersion v1 = make_version(100, {chunk_id('1'), chunk_id('2')}, std::string(64, 'b'));
  Node first = file(alice_, alice_.root_id, "report.pdf", v1, 10);
  EXPECT_EQ(first.kind, NodeKind::kFile);
  EXPECT_EQ(first.size, 100u);
  EXPECT_EQ(first.sha256, std::string(64, 'b'));
  EXPECT_EQ(first.mime, "application/octet-stream");
  EXPECT_EQ(first.created, 10);
  EXPECT_NE(first.version_id, 0);

  NewVersion v2 =
      make_version(300, {chunk_id('2'), chunk_id('3'), chunk_id('4')}, std::string(64, 'c'));
  v2.mime = "application/pdf";
  Node second = file(alice_, alice_.root_id, "report.pdf", v2, 20);
  EXPECT_EQ(second.id, first.id);
  EXPECT_NE(second.version_id, first.version_id);
  EXPECT_EQ(second.size, 300u);
  EXPECT_EQ(second.sha256, std::string(64, 'c'));
  EXPECT_EQ(second.mime, "application/pdf");
  EXPECT_EQ(second.created, 10);
  EXPECT_EQ(second.modified, 20);

  auto chunks = catalog_->version_chunks(second.version_id);
  ASSERT_TRUE(chunks.is_ok());
  ASSERT_EQ(chunks->size(), 3u);
  EXPECT_EQ((*chunks)[0].chunk, chunk_id('2'));
  EXPECT_EQ((*chunks)[2].offset, 200u);
  EXPECT_EQ((*chunks)[2].size, 100u);
  EXPECT_EQ((*chunks)[2].stored_size, 50u);
  EXPECT_EQ((*chunks)[2].encoding, 1);
  // The old version is kept.
  auto old_chunks = catalog_->version_chunks(first.version_id);
  ASSERT_TRUE(old_chunks.is_ok());
  EXPECT_EQ(old_chunks->size(), 2u);
  EXPECT_EQ(versions_of(first.id).size(), 2u);
  // One chunk row per distinct chunk, however often it is committed.
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM chunks"), 4);
  auto stored = catalog_->stored_bytes();
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(*stored, 300u);
}

TEST_F(CatalogTest, AChunksCheckIsKeptWithTheChunkAndLearnedFromALaterUpload) {
  // Committed without a check (as by a version that predates them): none is known.
  Node a = file(alice_, alice_.root_id, "a", make_version(10, {chunk_id('k')}));
  auto chunks = catalog_->version_chunks(a.version_id);
  ASSERT_TRUE(chunks.is_ok());
  EXPECT_EQ((*chunks)[0].check, 0u);
  // Another upload of the same chunk knows it: every list naming the chunk has it now. All
  // 64 bits survive the signed column.
  const uint64_t check = 0xF123'4567'89AB'CDEFull;
  NewVersion with_check = make_version(10, {chunk_id('k')});
  with_check.chunks[0].check = check;
  Node b = file(alice_, alice_.root_id, "b", std::move(with_check));
  for (int64_t version : {a.version_id, b.version_id}) {
    chunks = catalog_->version_chunks(version);
    ASSERT_TRUE(chunks.is_ok());
    EXPECT_EQ((*chunks)[0].check, check) << version;
  }
  // A check once known is not replaced.
  NewVersion other = make_version(10, {chunk_id('k')});
  other.chunks[0].check = 7;
  Node c = file(alice_, alice_.root_id, "c", std::move(other));
  chunks = catalog_->version_chunks(c.version_id);
  ASSERT_TRUE(chunks.is_ok());
  EXPECT_EQ((*chunks)[0].check, check);
}

TEST_F(CatalogTest, EmptyFile) {
  Node f = file(alice_, alice_.root_id, "empty", make_version(0, {}));
  EXPECT_EQ(f.size, 0u);
  auto chunks = catalog_->version_chunks(f.version_id);
  ASSERT_TRUE(chunks.is_ok());
  EXPECT_TRUE(chunks->empty());
}

// commit_files: one transaction for several files, in which a file refused for a reason of
// its own is rolled back alone (its node, version and quota use with it).
TEST_F(CatalogTest, CommitFilesCommitsInOrderAndRefusesOnlyTheFilesThatFail) {
  catalog_->set_default_quota_bytes(100);
  folder(alice_, alice_.root_id, "docs");
  Node archive = folder(alice_, alice_.root_id, "archive");
  Node kept = file(alice_, archive.id, "kept.txt", make_version(1, {chunk_id('k')}));
  AttributeChanges archived;
  archived.status = DocStatus::kArchived;
  ASSERT_TRUE(catalog_->set_attributes(alice_.id, kept.id, archived, 2).is_ok());
  std::vector<FileCommit> files{
      {alice_.root_id, "a.txt", make_version(10, {chunk_id('1')})},
      {alice_.root_id, "docs", make_version(1, {chunk_id('2')})},      // a folder's name
      {alice_.root_id, "", make_version(1, {chunk_id('3')})},          // no name
      {alice_.root_id, "big.bin", make_version(95, {chunk_id('4')})},  // past the quota
      {9999, "lost.txt", make_version(1, {chunk_id('5')})},            // no such folder
      {archive.id, "kept.txt", make_version(1, {chunk_id('6')})},      // archived
      {alice_.root_id, "b.txt", make_version(20, {chunk_id('7')})},
      {alice_.root_id, "a.txt", make_version(5, {chunk_id('8')})},  // a.txt's second version
  };
  std::vector<Result<Node>> results = catalog_->commit_files(alice_.id, files, 50);
  ASSERT_EQ(results.size(), files.size());
  ASSERT_TRUE(results[0].is_ok()) << results[0].status().to_string();
  EXPECT_EQ(results[1].status().code(), Errc::kNameConflict);
  EXPECT_EQ(results[2].status().code(), Errc::kInvalidName);
  EXPECT_EQ(results[3].status().code(), Errc::kQuotaExceeded);
  EXPECT_EQ(results[4].status().code(), Errc::kNotFound);
  EXPECT_EQ(results[5].status().code(), Errc::kArchived);
  ASSERT_TRUE(results[6].is_ok()) << results[6].status().to_string();
  ASSERT_TRUE(results[7].is_ok()) << results[7].status().to_string();
  // Later files see the earlier ones: a.txt got a second version rather than a second file.
  EXPECT_EQ(results[7]->id, results[0]->id);
  EXPECT_EQ(results[7]->size, 5u);
  EXPECT_EQ(results[0]->created, 50);
  EXPECT_EQ(versions_of(results[0]->id).size(), 2u);
  EXPECT_EQ(names(list(alice_, alice_.root_id)),
            (std::vector<std::string>{"archive", "docs", "a.txt", "b.txt"}));
  // Nothing of the refused ones stayed: their chunks are referenced by no version.
  std::set<std::string> chunks = referenced_chunks();
  EXPECT_EQ(chunks,
            (std::set<std::string>{chunk_id('k'), chunk_id('1'), chunk_id('7'), chunk_id('8')}));
  auto usage = catalog_->usage(alice_.id);
  ASSERT_TRUE(usage.is_ok());
  EXPECT_EQ(usage->used(), 1 + 10 + 20 + 5);
}

TEST_F(CatalogTest, ConcurrentCommitsOfOneNameMakeOneFileWithAllVersions) {
  constexpr int kThreads = 8;
  std::vector<Result<Node>> results(kThreads, Status(Errc::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = catalog_->commit_file(
          alice_.id, alice_.root_id, "same.bin",
          make_version(10 + i, {chunk_id(static_cast<char>('a' + i))}), 100 + i);
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> node_ids;
  std::set<int64_t> version_ids;
  for (const auto& r : results) {
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    node_ids.insert(r->id);
    version_ids.insert(r->version_id);
  }
  EXPECT_EQ(node_ids.size(), 1u);
  EXPECT_EQ(version_ids.size(), static_cast<size_t>(kThreads));
  EXPECT_EQ(list(alice_, alice_.root_id).size(), 1u);
  EXPECT_EQ(versions_of(*node_ids.begin()).size(), static_cast<size_t>(kThreads));
}

class ListingTest : public CatalogTest {
 protected:
  void SetUp() override {
    CatalogTest::SetUp();
    // Names chosen so that byte order differs from the natural order; sizes and times
    // have ties so that the id tie-break matters.
    const char* folder_names[] = {"beta", "Alpha", "gamma", "_x", "Zed"};
    Micros t = 1000;
    for (const char* name : folder_names) {
      nodes_.push_back(folder(alice_, alice_.root_id, name, t));
      t += 10 * (nodes_.size() % 2);
    }
    const char* file_names[] = {"b.txt", "a.txt", "C.txt", "e.txt", "d.txt", "B.txt", "ä.txt"};
    uint64_t sizes[] = {30, 10, 30, 5, 10, 30, 1};
    for (size_t i = 0; i < std::size(file_names); ++i) {
      nodes_.push_back(file(alice_, alice_.root_id, file_names[i],
                            make_version(sizes[i], {chunk_id('f')}), 2000 + 7 * (i % 3)));
    }
    // Another user's files never show up.
    file(bob_, bob_.root_id, "bob.txt", make_version(1, {chunk_id('b')}));
  }

  std::vector<Node> expected(SortKey key, bool descending) {
    std::vector<Node> sorted = nodes_;
    auto sort_key = [&](const Node& n) {
      return key == SortKey::kName ? std::make_tuple(natural_sort_key(n.name), Micros{0}, 0ull)
             : key == SortKey::kModified ? std::make_tuple(std::string(), n.modified, 0ull)
                                         : std::make_tuple(std::string(), Micros{0},
                                                           static_cast<unsigned long long>(n.size));
    };
    std::sort(sorted.begin(), sorted.end(), [&](const Node& a, const Node& b) {
      if (a.kind != b.kind) return a.kind == NodeKind::kFolder;
      auto ka = std::make_tuple(sort_key(a), a.id);
      auto kb = std::make_tuple(sort_key(b), b.id);
      return descending ? kb < ka : ka < kb;
    });
    return sorted;
  }

  std::vector<Node> nodes_;
};

TEST_F(ListingTest, PaginatesEverySortKeyAndOrderWithoutGapsOrDuplicates) {
  ASSERT_EQ(nodes_.size(), 12u);
  for (SortKey key : {SortKey::kName, SortKey::kModified, SortKey::kSize}) {
    for (bool descending : {false, true}) {
      SCOPED_TRACE(::testing::Message()
                   << "sort " << static_cast<int>(key) << " descending " << descending);
      ListOptions options;
      options.sort = key;
      options.descending = descending;
      options.limit = 5;
      std::vector<Node> all;
      int pages = 0;
      for (;;) {
        auto page = catalog_->list_children(alice_.id, alice_.root_id, options);
        ASSERT_TRUE(page.is_ok()) << page.status().to_string();
        if (page->empty()) break;
        ++pages;
        ASSERT_LE(page->size(), 5u);
        all.insert(all.end(), page->begin(), page->end());
        options.after = page->back();
        ASSERT_LE(pages, 10);
      }
      EXPECT_EQ(pages, 3);
      EXPECT_EQ(names(all), names(expected(key, descending)));
    }
  }
}

// Names in the order people expect (core/natural_sort.h): without case, accents by their
// base letter, names equal that way by their bytes; folders first.
TEST_F(ListingTest, NameOrderIsNaturalAndFoldersComeFirst) {
  EXPECT_EQ(names(list(alice_, alice_.root_id)),
            (std::vector<std::string>{"_x", "Alpha", "beta", "gamma", "Zed", "a.txt", "ä.txt",
                                      "B.txt", "b.txt", "C.txt", "d.txt", "e.txt"}));
  ListOptions desc;
  desc.descending = true;
  EXPECT_EQ(names(list(alice_, alice_.root_id, desc)),
            (std::vector<std::string>{"Zed", "gamma", "beta", "Alpha", "_x", "e.txt", "d.txt",
                                      "C.txt", "b.txt", "B.txt", "ä.txt", "a.txt"}));
}

TEST_F(ListingTest, LimitIsCapped) {
  ListOptions options;
  options.limit = 0;
  auto none = catalog_->list_children(alice_.id, alice_.root_id, options);
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
  options.limit = 1'000'000;
  auto capped = catalog_->list_children(alice_.id, alice_.root_id, options);
  ASSERT_TRUE(capped.is_ok());
  EXPECT_EQ(capped->size(), 12u);
}

TEST_F(CatalogTest, ListsLargeFoldersInPagesOfAThousandAndOne) {
  ASSERT_TRUE(catalog_->database()
                  .transact(TxMode::kWrite,
                            [&](Connection& conn) -> Status {
                              for (int i = 0; i < 2500; ++i) {
                                COFFER_RETURN_IF_ERROR(conn.exec(
                                    "INSERT INTO nodes (owner_id, parent_id, name, name_key, "
                                    "kind, size, created_at, modified_at) "
                                    "VALUES (?, ?, ?, ?, 'folder', 0, 1, 1)",
                                    {alice_.id, alice_.root_id, "f" + std::to_string(i),
                                     natural_sort_key("f" + std::to_string(i))}));
                              }
                              return Status::ok();
                            })
                  .is_ok());
  ListOptions options;
  options.limit = 5000;
  std::set<int64_t> seen;
  std::vector<size_t> sizes;
  for (;;) {
    auto page = catalog_->list_children(alice_.id, alice_.root_id, options);
    ASSERT_TRUE(page.is_ok());
    if (page->empty()) break;
    sizes.push_back(page->size());
    for (const auto& n : *page) EXPECT_TRUE(seen.insert(n.id).second);
    options.after = page->back();
  }
  // A page of 1000 and one more, which tells the API whether another page follows.
  EXPECT_EQ(sizes, (std::vector<size_t>{1001, 1001, 498}));
}

TEST_F(CatalogTest, RenamesAndMoves) {
  Node a = folder(alice_, alice_.root_id, "a");
  Node b = folder(alice_, alice_.root_id, "b");
  Node f = file(alice_, a.id, "f.txt", make_version(5, {chunk_id('1')}), 10);

  auto renamed = catalog_->move_node(alice_.id, f.id, std::nullopt, "g.txt", 50);
  ASSERT_TRUE(renamed.is_ok()) << renamed.status().to_string();
  EXPECT_EQ(renamed->name, "g.txt");
  EXPECT_EQ(renamed->parent_id, a.id);
  EXPECT_EQ(renamed->modified, 50);
  EXPECT_EQ(renamed->version_id, f.version_id);

  auto moved = catalog_->move_node(alice_.id, f.id, b.id, std::nullopt, 60);
  ASSERT_TRUE(moved.is_ok()) << moved.status().to_string();
  EXPECT_EQ(moved->parent_id, b.id);
  EXPECT_EQ(moved->name, "g.txt");
  EXPECT_TRUE(list(alice_, a.id).empty());

  auto both = catalog_->move_node(alice_.id, a.id, b.id, "a2", 70);
  ASSERT_TRUE(both.is_ok()) << both.status().to_string();
  EXPECT_EQ(names(list(alice_, b.id)), (std::vector<std::string>{"a2", "g.txt"}));

  // Moving onto its own place is a no-op.
  auto same = catalog_->move_node(alice_.id, b.id, alice_.root_id, "b", 80);
  ASSERT_TRUE(same.is_ok()) << same.status().to_string();
}

TEST_F(CatalogTest, MoveRejectsCyclesRootsFilesAndConflicts) {
  Node a = folder(alice_, alice_.root_id, "a");
  Node sub = folder(alice_, a.id, "sub");
  Node deep = folder(alice_, sub.id, "deep");
  Node f = file(alice_, alice_.root_id, "f.txt", make_version(5, {chunk_id('1')}));
  folder(alice_, alice_.root_id, "taken");

  EXPECT_EQ(catalog_->move_node(alice_.id, a.id, a.id, std::nullopt, 1).status().code(),
            Errc::kConflict);
  EXPECT_EQ(catalog_->move_node(alice_.id, a.id, deep.id, std::nullopt, 1).status().code(),
            Errc::kConflict);
  EXPECT_EQ(catalog_->move_node(alice_.id, a.id, f.id, std::nullopt, 1).status().code(),
            Errc::kConflict);
  EXPECT_EQ(catalog_->move_node(alice_.id, alice_.root_id, a.id, std::nullopt, 1).status().code(),
            Errc::kConflict);
  EXPECT_EQ(catalog_->move_node(alice_.id, a.id, std::nullopt, "taken", 1).status().code(),
            Errc::kNameConflict);
  EXPECT_EQ(catalog_->move_node(alice_.id, f.id, std::nullopt, "taken", 1).status().code(),
            Errc::kNameConflict);
  EXPECT_EQ(catalog_->move_node(alice_.id, 9999, a.id, std::nullopt, 1).status().code(),
            Errc::kNotFound);
  // Moving a subfolder up and out of its parent is fine.
  auto up = catalog_->move_node(alice_.id, deep.id, alice_.root_id, std::nullopt, 1);
  ASSERT_TRUE(up.is_ok()) << up.status().to_string();
  EXPECT_EQ(up->parent_id, alice_.root_id);
  // And a file named like its folder's descendants does not matter.
  EXPECT_TRUE(catalog_->move_node(alice_.id, f.id, sub.id, std::nullopt, 1).is_ok());
}

TEST_F(CatalogTest, CopiesAFileSharingItsChunks) {
  Node dst = folder(alice_, alice_.root_id, "dst");
  Node f = file(alice_, alice_.root_id, "f.txt",
                make_version(20, {chunk_id('1'), chunk_id('2')}, std::string(64, 'd')));
  auto copy = catalog_->copy_node(alice_.id, f.id, dst.id, "copy.txt", 99);
  ASSERT_TRUE(copy.is_ok()) << copy.status().to_string();
  EXPECT_NE(copy->id, f.id);
  EXPECT_NE(copy->version_id, f.version_id);
  EXPECT_EQ(copy->parent_id, dst.id);
  EXPECT_EQ(copy->name, "copy.txt");
  EXPECT_EQ(copy->size, 20u);
  EXPECT_EQ(copy->sha256, std::string(64, 'd'));
  EXPECT_EQ(copy->created, 99);
  auto a = catalog_->version_chunks(f.version_id);
  auto b = catalog_->version_chunks(copy->version_id);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  ASSERT_EQ(a->size(), b->size());
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].chunk, (*b)[i].chunk);
    EXPECT_EQ((*a)[i].offset, (*b)[i].offset);
  }
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM chunks"), 2);
  // A copy in the same folder needs another name.
  EXPECT_EQ(catalog_->copy_node(alice_.id, f.id, alice_.root_id, "f.txt", 1).status().code(),
            Errc::kNameConflict);
  auto beside = catalog_->copy_node(alice_.id, f.id, alice_.root_id, "f (copy).txt", 1);
  EXPECT_TRUE(beside.is_ok());
  auto stored = catalog_->stored_bytes();
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(*stored, 60u);
}

TEST_F(CatalogTest, AnOverwritingTransferReplacesTheDestinationInOneTransaction) {
  Node folder_a = folder(alice_, alice_.root_id, "a");
  Node inner = file(alice_, folder_a.id, "inner.txt", make_version(5, {chunk_id('1')}), 10);
  Node big = file(alice_, alice_.root_id, "big.bin", make_version(60, {chunk_id('2')}), 10);
  Node keep = file(alice_, alice_.root_id, "keep.txt", make_version(7, {chunk_id('3')}), 10);
  const auto trash_size = [&] { return catalog_->list_trash(alice_.id)->size(); };

  // Without overwrite a taken name is a conflict.
  EXPECT_EQ(catalog_
                ->transfer_node(alice_.id, Transfer::kMove, big.id, alice_.root_id, "keep.txt",
                                false, 20, 0)
                .status()
                .code(),
            Errc::kNameConflict);
  // A copy that fails (the quota) leaves the destination where it was.
  catalog_->set_default_quota_bytes(100);
  auto over = catalog_->transfer_node(alice_.id, Transfer::kCopy, big.id, alice_.root_id,
                                      "keep.txt", true, 20, 0);
  EXPECT_EQ(over.status().code(), Errc::kQuotaExceeded);
  EXPECT_EQ(catalog_->find_child(alice_.id, alice_.root_id, "keep.txt")->id, keep.id);
  EXPECT_EQ(trash_size(), 0u);
  catalog_->set_default_quota_bytes(0);
  // Replacing the folder that holds the source would take the source along.
  EXPECT_EQ(
      catalog_
          ->transfer_node(alice_.id, Transfer::kMove, inner.id, alice_.root_id, "a", true, 20, 0)
          .status()
          .code(),
      Errc::kConflict);
  EXPECT_EQ(trash_size(), 0u);

  // A move onto a taken name puts what was there in the trash, as deleted by the token.
  auto moved = catalog_->transfer_node(alice_.id, Transfer::kMove, big.id, alice_.root_id,
                                       "keep.txt", true, 30, 7);
  ASSERT_TRUE(moved.is_ok()) << moved.status().to_string();
  EXPECT_EQ(moved->node.id, big.id);
  EXPECT_EQ(moved->node.name, "keep.txt");
  ASSERT_TRUE(moved->previous.has_value());
  EXPECT_EQ(moved->previous->id, keep.id);
  auto trash = catalog_->list_trash(alice_.id);
  ASSERT_TRUE(trash.is_ok());
  ASSERT_EQ(trash->size(), 1u);
  EXPECT_EQ((*trash)[0].node.id, keep.id);
  EXPECT_EQ((*trash)[0].deleted_by_token, 7);
  // Onto a free name nothing is replaced; a folder copied alone leaves its members behind.
  auto alone = catalog_->transfer_node(alice_.id, Transfer::kCopyFolderAlone, folder_a.id,
                                       alice_.root_id, "a2", true, 40, 0);
  ASSERT_TRUE(alone.is_ok()) << alone.status().to_string();
  EXPECT_FALSE(alone->previous.has_value());
  EXPECT_TRUE(catalog_->list_children(alice_.id, alone->node.id, ListOptions{})->empty());
}

TEST_F(CatalogTest, AStaleVersionConditionChangesNothing) {
  Node first = file(alice_, alice_.root_id, "plan.txt", make_version(5, {chunk_id('1')}), 10);
  Node second = file(alice_, alice_.root_id, "plan.txt", make_version(6, {chunk_id('2')}), 20);
  ASSERT_EQ(first.id, second.id);
  ASSERT_NE(first.version_id, second.version_id);
  Node docs = folder(alice_, alice_.root_id, "docs");
  const int64_t stale = first.version_id;
  AttributeChanges tags;
  tags.tags = std::vector<std::string>{"draft"};

  // The version an If-Match named is no longer current: every change refuses.
  EXPECT_EQ(
      catalog_->move_node(alice_.id, first.id, docs.id, std::nullopt, 30, stale).status().code(),
      Errc::kPreconditionFailed);
  EXPECT_EQ(catalog_->set_attributes(alice_.id, first.id, tags, 30, stale).status().code(),
            Errc::kPreconditionFailed);
  EXPECT_EQ(catalog_->delete_node(alice_.id, first.id, 30, 0, stale).code(),
            Errc::kPreconditionFailed);
  // A folder has no version to match.
  EXPECT_EQ(catalog_->delete_node(alice_.id, docs.id, 30, 0, second.version_id).code(),
            Errc::kPreconditionFailed);
  auto still = catalog_->get_node(alice_.id, first.id);
  ASSERT_TRUE(still.is_ok());
  EXPECT_EQ(still->parent_id, alice_.root_id);
  EXPECT_TRUE(catalog_->attributes(alice_.id, first.id)->tags.empty());

  // The current version: each goes through.
  EXPECT_TRUE(catalog_->set_attributes(alice_.id, first.id, tags, 40, second.version_id).is_ok());
  EXPECT_TRUE(catalog_->move_node(alice_.id, first.id, docs.id, std::nullopt, 40, second.version_id)
                  .is_ok());
  EXPECT_TRUE(catalog_->delete_node(alice_.id, first.id, 40, 0, second.version_id).is_ok());
}

TEST_F(CatalogTest, CopiesAFolderTree) {
  Node src = folder(alice_, alice_.root_id, "src");
  Node sub = folder(alice_, src.id, "sub");
  folder(alice_, sub.id, "empty");
  Node f1 = file(alice_, src.id, "f1", make_version(10, {chunk_id('1')}));
  Node f2 = file(alice_, sub.id, "f2", make_version(20, {chunk_id('2'), chunk_id('3')}));

  auto copy = catalog_->copy_node(alice_.id, src.id, alice_.root_id, "src copy", 5);
  ASSERT_TRUE(copy.is_ok()) << copy.status().to_string();
  EXPECT_EQ(copy->kind, NodeKind::kFolder);
  EXPECT_EQ(names(list(alice_, copy->id)), (std::vector<std::string>{"sub", "f1"}));
  auto sub_copy = catalog_->find_child(alice_.id, copy->id, "sub");
  ASSERT_TRUE(sub_copy.is_ok());
  EXPECT_NE(sub_copy->id, sub.id);
  EXPECT_EQ(names(list(alice_, sub_copy->id)), (std::vector<std::string>{"empty", "f2"}));
  auto f2_copy = catalog_->find_child(alice_.id, sub_copy->id, "f2");
  ASSERT_TRUE(f2_copy.is_ok());
  EXPECT_NE(f2_copy->id, f2.id);
  EXPECT_NE(f2_copy->version_id, f2.version_id);
  auto chunks = catalog_->version_chunks(f2_copy->version_id);
  ASSERT_TRUE(chunks.is_ok());
  ASSERT_EQ(chunks->size(), 2u);
  EXPECT_EQ((*chunks)[1].chunk, chunk_id('3'));
  // The source is untouched.
  EXPECT_EQ(names(list(alice_, src.id)), (std::vector<std::string>{"sub", "f1"}));
  EXPECT_EQ(catalog_->get_node(alice_.id, f1.id)->version_id, f1.version_id);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM chunks"), 3);
}

TEST_F(CatalogTest, CopyRejectsCyclesAndRoots) {
  Node src = folder(alice_, alice_.root_id, "src");
  Node sub = folder(alice_, src.id, "sub");
  EXPECT_EQ(catalog_->copy_node(alice_.id, src.id, src.id, "again", 1).status().code(),
            Errc::kConflict);
  EXPECT_EQ(catalog_->copy_node(alice_.id, src.id, sub.id, "again", 1).status().code(),
            Errc::kConflict);
  EXPECT_EQ(catalog_->copy_node(alice_.id, alice_.root_id, src.id, "root", 1).status().code(),
            Errc::kConflict);
  EXPECT_EQ(catalog_->copy_node(alice_.id, sub.id, alice_.root_id, "src", 1).status().code(),
            Errc::kNameConflict);
}

TEST_F(CatalogTest, DeleteMovesTheSubtreeToTheTrashAndPurgeRemovesIt) {
  Node top = folder(alice_, alice_.root_id, "top");
  Node sub = folder(alice_, top.id, "sub");
  Node f1 = file(alice_, top.id, "f1", make_version(10, {chunk_id('1')}));
  file(alice_, top.id, "f1", make_version(11, {chunk_id('2')}));
  Node f2 = file(alice_, sub.id, "f2", make_version(20, {chunk_id('3')}));
  Node keep = file(alice_, alice_.root_id, "keep", make_version(30, {chunk_id('3')}));

  ASSERT_TRUE(catalog_->delete_node(alice_.id, f2.id, 100, 7).is_ok());
  ASSERT_TRUE(catalog_->delete_node(alice_.id, top.id, 200, 0).is_ok());
  for (int64_t id : {top.id, sub.id, f1.id, f2.id}) {
    EXPECT_EQ(catalog_->get_node(alice_.id, id).status().code(), Errc::kNotFound) << id;
  }
  EXPECT_EQ(names(list(alice_, alice_.root_id)), (std::vector<std::string>{"keep"}));
  folder(alice_, alice_.root_id, "top");  // the name is free while the old one is in the trash
  auto trash = catalog_->list_trash(alice_.id);
  ASSERT_TRUE(trash.is_ok());
  ASSERT_EQ(trash->size(), 2u);
  EXPECT_EQ((*trash)[0].node.id, top.id);
  EXPECT_TRUE((*trash)[0].parent_live);
  EXPECT_EQ((*trash)[1].node.id, f2.id);
  EXPECT_EQ((*trash)[1].deleted_by_token, 7);
  EXPECT_FALSE((*trash)[1].parent_live);
  EXPECT_EQ(*catalog_->trashed_between(alice_.id, 0, 1000, 7), (std::vector<int64_t>{f2.id}));
  EXPECT_EQ(catalog_->list_trash(bob_.id)->size(), 0u);
  EXPECT_EQ(catalog_->purge_trashed(bob_.id, top.id).code(), Errc::kNotFound);
  // The trash keeps the data.
  EXPECT_EQ(referenced_chunks(),
            (std::set<std::string>{chunk_id('1'), chunk_id('2'), chunk_id('3')}));

  // Purging the folder purges what was trashed inside it before, too.
  ASSERT_TRUE(catalog_->purge_trashed(alice_.id, top.id).is_ok());
  EXPECT_TRUE(catalog_->list_trash(alice_.id)->empty());
  for (int64_t id : {top.id, sub.id, f1.id, f2.id}) EXPECT_TRUE(versions_of(id).empty()) << id;
  EXPECT_TRUE(catalog_->version_chunks(f2.version_id)->empty());
  // Chunk rows stay for garbage collection to decide.
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM chunks"), 3);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM versions"), 1);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM version_chunks"), 1);
  EXPECT_EQ(*catalog_->stored_bytes(), 30u);
  EXPECT_EQ(versions_of(keep.id).size(), 1u);
}

// The trash listing once decoded its own column list by position, so the deletion time came
// back as the declared type.
TEST_F(CatalogTest, TrashListingReportsTheDeclaredMimeNotTheDeletionTime) {
  NewVersion v = make_version(10, {chunk_id('1')});
  v.declared_mime = "text/markdown";
  Node f = file(alice_, alice_.root_id, "notes.md", v, 1000);
  ASSERT_TRUE(catalog_->delete_node(alice_.id, f.id, 2000, 0).is_ok());
  auto trash = catalog_->list_trash(alice_.id);
  ASSERT_TRUE(trash.is_ok()) << trash.status().to_string();
  ASSERT_EQ(trash->size(), 1u);
  EXPECT_EQ((*trash)[0].node.declared_mime, "text/markdown");
  EXPECT_EQ((*trash)[0].node.mime, "application/octet-stream");
  EXPECT_EQ((*trash)[0].node.size, 10u);
  EXPECT_EQ((*trash)[0].deleted, 2000);
}

// A version looked up by id (signed download URLs) once came back without its declared type.
TEST_F(CatalogTest, FileVersionLookupReportsTheDeclaredMimeNotAnEmptyOne) {
  NewVersion first = make_version(10, {chunk_id('1')}, std::string(64, 'b'));
  first.declared_mime = "text/plain";
  Node old = file(alice_, alice_.root_id, "notes", first, 1000);
  NewVersion second = make_version(20, {chunk_id('2')}, std::string(64, 'c'));
  second.declared_mime = "text/markdown";
  file(alice_, alice_.root_id, "notes", second, 2000);

  auto version = catalog_->get_file_version(old.id, old.version_id);
  ASSERT_TRUE(version.is_ok()) << version.status().to_string();
  EXPECT_EQ(version->declared_mime, "text/plain");
  // The node as that version shows it, not as the current one does.
  EXPECT_EQ(version->version_id, old.version_id);
  EXPECT_EQ(version->size, 10u);
  EXPECT_EQ(version->sha256, std::string(64, 'b'));
  EXPECT_EQ(version->modified, 1000);
}

TEST_F(CatalogTest, RestoreRecreatesMissingParentsAndRefusesATakenName) {
  Node top = folder(alice_, alice_.root_id, "top");
  Node sub = folder(alice_, top.id, "sub");
  Node f = file(alice_, sub.id, "f", make_version(5, {chunk_id('f')}));
  ASSERT_TRUE(catalog_->delete_node(alice_.id, f.id, 100, 0).is_ok());
  ASSERT_TRUE(catalog_->delete_node(alice_.id, top.id, 200, 0).is_ok());

  // f comes back to /top/sub/f: top and sub are in the trash, so they are recreated.
  auto back = catalog_->restore_trashed(alice_.id, f.id, std::nullopt, 300);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  auto new_top = catalog_->find_child(alice_.id, alice_.root_id, "top");
  ASSERT_TRUE(new_top.is_ok());
  EXPECT_NE(new_top->id, top.id);
  auto new_sub = catalog_->find_child(alice_.id, new_top->id, "sub");
  ASSERT_TRUE(new_sub.is_ok());
  EXPECT_EQ(back->parent_id, new_sub->id);

  // The old top cannot come back under its name now; under another it can, with its subtree.
  EXPECT_EQ(catalog_->restore_trashed(alice_.id, top.id, std::nullopt, 400).status().code(),
            Errc::kNameConflict);
  auto old_top = catalog_->restore_trashed(alice_.id, top.id, "top (restored)", 400);
  ASSERT_TRUE(old_top.is_ok());
  EXPECT_TRUE(catalog_->get_node(alice_.id, sub.id).is_ok());
  EXPECT_TRUE(catalog_->list_trash(alice_.id)->empty());
  EXPECT_EQ(catalog_->restore_trashed(alice_.id, top.id, std::nullopt, 500).status().code(),
            Errc::kNotFound);
}

TEST_F(CatalogTest, VersionRetentionByCountAndByAge) {
  catalog_->set_keep_versions(2);
  Node f;
  for (int i = 0; i < 5; ++i) {
    f = file(alice_, alice_.root_id, "f", make_version(10 + i, {chunk_id('a' + i)}), 100 * (i + 1));
  }
  auto versions = catalog_->list_versions(alice_.id, f.id);
  ASSERT_TRUE(versions.is_ok());
  ASSERT_EQ(versions->size(), 3u);  // the current one and two older ones
  EXPECT_EQ((*versions)[0].size, 14u);
  EXPECT_EQ((*versions)[2].size, 12u);
  // By age: versions created before 350 go; the current one stays whatever its age.
  EXPECT_EQ(*catalog_->prune_versions_before(350), 1);
  EXPECT_EQ(catalog_->list_versions(alice_.id, f.id)->size(), 2u);
  EXPECT_EQ(*catalog_->prune_versions_before(1'000'000), 1);
  versions = catalog_->list_versions(alice_.id, f.id);
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_TRUE((*versions)[0].current);
  EXPECT_EQ(referenced_chunks(), (std::set<std::string>{chunk_id('e')}));
}

TEST_F(CatalogTest, RetentionPurgesOnlyOldItems) {
  Node old_file = file(alice_, alice_.root_id, "old", make_version(1, {chunk_id('o')}));
  Node new_file = file(bob_, bob_.root_id, "new", make_version(1, {chunk_id('n')}));
  ASSERT_TRUE(catalog_->delete_node(alice_.id, old_file.id, 100, 0).is_ok());
  ASSERT_TRUE(catalog_->delete_node(bob_.id, new_file.id, 900, 0).is_ok());
  EXPECT_EQ(*catalog_->purge_trash_before(500), 1);
  EXPECT_TRUE(catalog_->list_trash(alice_.id)->empty());
  EXPECT_EQ(catalog_->list_trash(bob_.id)->size(), 1u);
  EXPECT_EQ(*catalog_->empty_trash(bob_.id), 1);
  EXPECT_TRUE(catalog_->list_trash(bob_.id)->empty());
}

TEST_F(CatalogTest, DeleteRejectsRootsAndUnknownNodes) {
  EXPECT_EQ(catalog_->delete_node(alice_.id, alice_.root_id, 1, 0).code(), Errc::kConflict);
  EXPECT_EQ(catalog_->delete_node(alice_.id, 9999, 1, 0).code(), Errc::kNotFound);
}

TEST_F(CatalogTest, ReferencedChunksFollowDeletes) {
  Node f1 = file(alice_, alice_.root_id, "f1", make_version(20, {chunk_id('a'), chunk_id('b')}));
  file(bob_, bob_.root_id, "f2", make_version(20, {chunk_id('b'), chunk_id('c')}));
  EXPECT_EQ(referenced_chunks(),
            (std::set<std::string>{chunk_id('a'), chunk_id('b'), chunk_id('c')}));
  ASSERT_TRUE(catalog_->delete_node(alice_.id, f1.id, 1, 0).is_ok());
  EXPECT_EQ(referenced_chunks(),
            (std::set<std::string>{chunk_id('a'), chunk_id('b'), chunk_id('c')}));  // trash
  ASSERT_TRUE(catalog_->purge_trashed(alice_.id, f1.id).is_ok());
  EXPECT_EQ(referenced_chunks(), (std::set<std::string>{chunk_id('b'), chunk_id('c')}));
}

TEST_F(CatalogTest, OtherUsersNodesDoNotExist) {
  Node folder_a = folder(alice_, alice_.root_id, "private");
  Node file_a = file(alice_, folder_a.id, "secret.txt", make_version(5, {chunk_id('s')}));
  Node bob_folder = folder(bob_, bob_.root_id, "mine");
  const int64_t b = bob_.id;

  auto not_found = [](Errc code) { return code == Errc::kNotFound; };
  for (int64_t id : {alice_.root_id, folder_a.id, file_a.id}) {
    SCOPED_TRACE(id);
    EXPECT_TRUE(not_found(catalog_->get_node(b, id).status().code()));
    EXPECT_TRUE(not_found(catalog_->list_children(b, id, {}).status().code()));
    EXPECT_TRUE(not_found(catalog_->create_folder(b, id, "x", 1).status().code()));
    EXPECT_TRUE(
        not_found(catalog_->commit_file(b, id, "x", make_version(1, {}), 1).status().code()));
    EXPECT_TRUE(not_found(catalog_->move_node(b, id, bob_.root_id, "x", 1).status().code()));
    EXPECT_TRUE(not_found(catalog_->move_node(b, bob_folder.id, id, "x", 1).status().code()));
    EXPECT_TRUE(not_found(catalog_->copy_node(b, id, bob_.root_id, "x", 1).status().code()));
    EXPECT_TRUE(not_found(catalog_->copy_node(b, bob_folder.id, id, "x", 1).status().code()));
    EXPECT_TRUE(not_found(catalog_->delete_node(b, id, 1, 0).code()));
  }
  EXPECT_TRUE(not_found(catalog_->find_child(b, folder_a.id, "secret.txt").status().code()));
  EXPECT_TRUE(not_found(catalog_->find_child(b, alice_.root_id, "private").status().code()));
  // Nothing changed for Alice or Bob.
  EXPECT_EQ(names(list(alice_, folder_a.id)), (std::vector<std::string>{"secret.txt"}));
  EXPECT_EQ(names(list(bob_, bob_.root_id)), (std::vector<std::string>{"mine"}));
  EXPECT_TRUE(list(bob_, bob_folder.id).empty());
}

TEST_F(CatalogTest, PingAnswers) { EXPECT_TRUE(catalog_->ping().is_ok()); }

TEST_F(CatalogTest, DeadPropertiesPatchAllOrNothingAndStayWithTheNode) {
  PropertyStore& props = catalog_->properties();
  Node dir = folder(alice_, alice_.root_id, "dir");
  Node f = file(alice_, dir.id, "f", make_version(5, {chunk_id('p')}));
  ASSERT_TRUE(props
                  .patch(alice_.id, f.id,
                         {{"urn:x", "a", "<a xmlns=\"urn:x\">1</a>"},
                          {"", "plain", "<plain>2</plain>"},
                          {"urn:x", "a", "<a xmlns=\"urn:x\">3</a>"}})
                  .is_ok());
  auto listed = props.list(alice_.id, f.id);
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "plain");
  EXPECT_EQ((*listed)[1].xml, "<a xmlns=\"urn:x\">3</a>");  // in order: the last set wins

  ASSERT_TRUE(props.patch(alice_.id, f.id, {{"", "plain", ""}}).is_ok());  // remove
  EXPECT_EQ(props.list(alice_.id, f.id)->size(), 1u);
  // By node ids, as a PROPFIND page asks: nodes without properties and other users' nodes
  // are absent.
  Node g = file(alice_, dir.id, "g", make_version(5, {chunk_id('q')}));
  auto pages = props.list_nodes(alice_.id, {f.id, g.id, bob_.root_id});
  ASSERT_TRUE(pages.is_ok());
  ASSERT_EQ(pages->size(), 1u);
  ASSERT_EQ(pages->count(f.id), 1u);
  EXPECT_EQ(pages->at(f.id).at(0).xml, "<a xmlns=\"urn:x\">3</a>");
  EXPECT_TRUE(props.list_nodes(bob_.id, {f.id})->empty());
  EXPECT_TRUE(props.list_nodes(alice_.id, {})->empty());

  // Another user's node does not exist; a move keeps the properties; a copy gets them.
  EXPECT_EQ(props.list(bob_.id, f.id).status().code(), Errc::kNotFound);
  EXPECT_EQ(props.patch(bob_.id, f.id, {{"", "x", "<x/>"}}).code(), Errc::kNotFound);
  ASSERT_TRUE(catalog_->move_node(alice_.id, f.id, alice_.root_id, "moved", 2).is_ok());
  EXPECT_EQ(props.list(alice_.id, f.id)->size(), 1u);
  auto copy = catalog_->copy_node(alice_.id, f.id, alice_.root_id, "copy", 3);
  ASSERT_TRUE(copy.is_ok());
  ASSERT_TRUE(props.copy(alice_.id, f.id, copy->id).is_ok());
  EXPECT_EQ(props.list(alice_.id, copy->id)->size(), 1u);

  // A node holds at most kMaxDeadPropertiesPerNode properties of kMaxDeadPropertyBytesPerNode
  // bytes in all; past either, the patch stores nothing. Removing is always allowed.
  std::vector<PropertyChange> many;
  for (int i = 0; i <= kMaxDeadPropertiesPerNode; ++i) {
    many.push_back({"urn:n", "p" + std::to_string(i), "<p xmlns=\"urn:n\"/>"});
  }
  EXPECT_EQ(props.patch(alice_.id, g.id, many).code(), Errc::kQuotaExceeded);
  EXPECT_TRUE(props.list(alice_.id, g.id)->empty());
  many.pop_back();
  ASSERT_TRUE(props.patch(alice_.id, g.id, many).is_ok());
  const std::string big(kMaxDeadPropertyBytesPerNode / 2, 'x');
  Node h = file(alice_, dir.id, "h", make_version(5, {chunk_id('r')}));
  ASSERT_TRUE(props.patch(alice_.id, h.id, {{"", "one", big}}).is_ok());
  EXPECT_EQ(props.patch(alice_.id, h.id, {{"", "two", big + "y"}}).code(), Errc::kQuotaExceeded);
  ASSERT_TRUE(props.patch(alice_.id, g.id, {{"urn:n", "p0", ""}}).is_ok());

  // Trashed nodes have no readable properties; purging removes the rows with the node.
  ASSERT_TRUE(catalog_->delete_node(alice_.id, f.id, 4, 0).is_ok());
  EXPECT_EQ(props.list(alice_.id, f.id).status().code(), Errc::kNotFound);
  ASSERT_TRUE(catalog_->purge_trashed(alice_.id, f.id).is_ok());
  ASSERT_TRUE(catalog_->empty_trash(alice_.id).is_ok());
}

}  // namespace
}  // namespace coffer::meta
