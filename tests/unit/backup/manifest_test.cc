#include "backup/manifest.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"

namespace coffer::backup {
namespace {

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

Manifest sample() {
  Manifest m;
  m.generation = 3;
  m.created = "2026-12-06T23:00:00Z";
  m.coffer_version = "0.1.0";
  m.files.push_back(
      ManifestFile{"metadata/meta.3.db", "meta.db", FileKind::kMetadata, {Segment{4096, kHashA}}});
  ManifestFile volume{"chunks/volumes/00000001.77.vol",
                      "chunks/volumes/00000001.vol",
                      FileKind::kVolume,
                      {Segment{100, kHashA}, Segment{50, kHashB}}};
  volume.source_device = 2049;
  volume.source_inode = 77;
  m.files.push_back(volume);
  return m;
}

TEST(ManifestTest, RoundTripsEveryField) {
  const Manifest m = sample();
  auto decoded = decode_manifest(encode_manifest(m));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->generation, 3u);
  EXPECT_EQ(decoded->created, m.created);
  ASSERT_EQ(decoded->files.size(), 2u);
  EXPECT_EQ(decoded->files[1].path, m.files[1].path);
  EXPECT_EQ(decoded->files[1].restore_to, m.files[1].restore_to);
  EXPECT_EQ(decoded->files[1].kind, FileKind::kVolume);
  EXPECT_EQ(decoded->files[1].segments, m.files[1].segments);
  EXPECT_EQ(decoded->files[1].size(), 150u);
  EXPECT_EQ(decoded->files[1].source_inode, 77u);
  EXPECT_EQ(decoded->files[1].source_device, 2049u);
}

TEST(ManifestTest, RefusesPathsThatLeaveTheDirectory) {
  for (const char* bad :
       {"../meta.db", "/etc/passwd", "chunks/../../x", "a//b", "a/./b", "", "a b"}) {
    Manifest m = sample();
    m.files[0].restore_to = bad;
    auto decoded = decode_manifest(encode_manifest(m));
    EXPECT_EQ(decoded.status().code(), Errc::kCorruption) << bad;
  }
}

TEST(ManifestTest, RefusesAnUnknownFormatAndBadHashes) {
  std::string text = encode_manifest(sample());
  std::string future = text;
  future.replace(future.find("\"format\":1"), 10, "\"format\":9");
  EXPECT_EQ(decode_manifest(future).status().code(), Errc::kCorruption);
  std::string bad_hash = text;
  bad_hash.replace(bad_hash.find(kHashA), 64, std::string(64, 'Z'));
  EXPECT_EQ(decode_manifest(bad_hash).status().code(), Errc::kCorruption);
  EXPECT_EQ(decode_manifest("not json").status().code(), Errc::kCorruption);
}

TEST(ManifestTest, WrittenAtomicallyAndReadBack) {
  store::testing::TempDir dir;
  auto none = read_manifest(dir.path());
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(*none);
  ASSERT_TRUE(write_manifest(dir.path(), sample()).is_ok());
  auto read = read_manifest(dir.path());
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  ASSERT_TRUE(*read);
  EXPECT_EQ((*read)->files.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/MANIFEST.json.tmp"));
}

}  // namespace
}  // namespace coffer::backup
