// ZipStream end to end: archives produced in memory (or, for the large one, into a sparse
// file), then checked by real zip readers — unzip, Python's zipfile, bsdtar and 7z.

#include "archive/zip_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>

#include <gtest/gtest.h>

#include "zip_test_support.h"

namespace coffer::archive {
namespace {

using testing::file_entry;
using testing::folder_entry;
using testing::produce;
using testing::python_list;
using testing::run;
using testing::TempDir;
using testing::write_file;

constexpr Micros kMarch5 = 1709642096LL * 1'000'000 + 789;  // 2024-03-05T12:34:56.000789Z

std::vector<ZipEntry> sample_entries() {
  std::vector<ZipEntry> entries;
  entries.push_back(folder_entry("docs", kMarch5));
  entries.push_back(file_entry("docs/report.txt", "quarterly numbers\n", kMarch5));
  entries.push_back(file_entry("docs/empty.txt", "", kMarch5));
  entries.push_back(folder_entry("docs/nothing-here", kMarch5));
  entries.push_back(file_entry("top.bin", std::string("\0\x01\xff\xfePK\x03\x04", 8), kMarch5));
  return entries;
}

// Every reader we know accepts the archive: unzip and 7z test it, bsdtar lists it.
void expect_readers_accept(const std::string& archive) {
  auto unzip = run("unzip -tq " + archive);
  EXPECT_EQ(unzip.exit_code, 0) << unzip.output;
  EXPECT_NE(unzip.output.find("No errors detected"), std::string::npos) << unzip.output;
  auto bsdtar = run("bsdtar -tf " + archive + " > /dev/null");
  EXPECT_EQ(bsdtar.exit_code, 0) << bsdtar.output;
  auto sevenzip = run("7z t " + archive);
  EXPECT_EQ(sevenzip.exit_code, 0) << sevenzip.output;
  EXPECT_NE(sevenzip.output.find("Everything is Ok"), std::string::npos) << sevenzip.output;
  EXPECT_EQ(sevenzip.output.find("WARNING"), std::string::npos) << sevenzip.output;
}

TEST(ZipStreamTest, SmallArchiveIsAcceptedByEveryReader) {
  TempDir dir;
  auto bytes = produce(sample_entries());
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().to_string();
  std::string archive = dir.file("small.zip");
  write_file(archive, *bytes);

  expect_readers_accept(archive);
  auto listed = python_list(dir, archive);
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(listed.output,
            "testzip: None\n"
            "docs/|d|0||0x800|2024-3-5-12-34-56\n"
            "docs/report.txt|f|18|" +
                testing::hex("quarterly numbers\n") +
                "|0x808|2024-3-5-12-34-56\n"
                "docs/empty.txt|f|0||0x808|2024-3-5-12-34-56\n"
                "docs/nothing-here/|d|0||0x800|2024-3-5-12-34-56\n"
                "top.bin|f|8|0001fffe504b0304|0x808|2024-3-5-12-34-56\n");
  auto tar = run("bsdtar -tf " + archive);
  EXPECT_EQ(tar.output, "docs/\ndocs/report.txt\ndocs/empty.txt\ndocs/nothing-here/\ntop.bin\n");
}

// A reader that cannot seek (bsdtar from a pipe) walks the local headers and descriptors
// alone, never the central directory: known sizes in the local header, unknown ones found by
// the descriptor.
TEST(ZipStreamTest, StreamingReaderExtractsFromAPipe) {
  TempDir dir;
  for (bool sizes_known : {true, false}) {
    auto entries = sample_entries();
    if (!sizes_known) {
      for (auto& e : entries) e.size.reset();
    }
    auto bytes = produce(std::move(entries));
    ASSERT_TRUE(bytes.is_ok());
    std::string archive = dir.file("piped.zip");
    write_file(archive, *bytes);
    auto tar = run("cat " + archive + " | bsdtar -xOf - | od -An -tx1 | tr -d ' \\n'");
    EXPECT_EQ(tar.output, testing::hex("quarterly numbers\n") + "0001fffe504b0304")
        << "sizes known: " << sizes_known;
  }
}

TEST(ZipStreamTest, ExactLengthEqualsTheProducedLength) {
  auto entries = sample_entries();
  auto length = exact_length(entries);
  auto bytes = produce(sample_entries());
  ASSERT_TRUE(bytes.is_ok());
  ASSERT_TRUE(length.has_value());
  EXPECT_EQ(*length, bytes->size());

  // Renamed duplicates and sanitised paths change name lengths: still exact.
  std::vector<ZipEntry> tricky;
  for (int i = 0; i < 3; ++i) tricky.push_back(file_entry("../same.txt", "x"));
  tricky.push_back(folder_entry("/abs\\dir/"));
  tricky.push_back(file_entry("abs_dir", "collides with the folder"));
  auto tricky_length = exact_length(tricky);
  auto tricky_bytes = produce(std::move(tricky));
  ASSERT_TRUE(tricky_bytes.is_ok());
  ASSERT_TRUE(tricky_length.has_value());
  EXPECT_EQ(*tricky_length, tricky_bytes->size());
}

TEST(ZipStreamTest, ExactLengthIsUnknownWithoutEverySize) {
  std::vector<ZipEntry> entries = sample_entries();
  entries[1].size.reset();
  EXPECT_FALSE(exact_length(entries).has_value());
  std::vector<ZipEntry> bad_name;
  bad_name.push_back(file_entry("/./", "x"));
  EXPECT_FALSE(exact_length(bad_name).has_value());
}

TEST(ZipStreamTest, OneByteReadsProduceTheSameArchive) {
  auto whole = produce(sample_entries(), 64 * 1024);
  ASSERT_TRUE(whole.is_ok());
  for (size_t chunk : {1, 2, 3, 7, 29, 31, 46}) {
    auto pieces = produce(sample_entries(), chunk);
    ASSERT_TRUE(pieces.is_ok()) << chunk;
    EXPECT_EQ(*pieces, *whole) << "reads of " << chunk << " bytes";
  }
}

TEST(ZipStreamTest, Utf8NamesRoundTrip) {
  TempDir dir;
  std::vector<ZipEntry> entries;
  entries.push_back(folder_entry("日本"));
  entries.push_back(file_entry("日本/café.txt", "é"));
  entries.push_back(file_entry("日本/🎉 party.txt", "emoji"));
  auto bytes = produce(std::move(entries));
  ASSERT_TRUE(bytes.is_ok());
  std::string archive = dir.file("utf8.zip");
  write_file(archive, *bytes);

  expect_readers_accept(archive);
  auto listed = python_list(dir, archive);
  EXPECT_NE(listed.output.find("日本/|d|0||0x800|"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("日本/café.txt|f|2|c3a9|0x808|"), std::string::npos)
      << listed.output;
  EXPECT_NE(listed.output.find("日本/🎉 party.txt|f|5|"), std::string::npos) << listed.output;
  auto unzip = run("unzip -l " + archive);
  EXPECT_NE(unzip.output.find("日本/café.txt"), std::string::npos) << unzip.output;
  EXPECT_NE(unzip.output.find("日本/🎉 party.txt"), std::string::npos) << unzip.output;
  auto tar = run("bsdtar -tf " + archive);
  EXPECT_EQ(tar.output, "日本/\n日本/café.txt\n日本/🎉 party.txt\n");
}

TEST(ZipStreamTest, EmptyArchiveIsValid) {
  TempDir dir;
  auto bytes = produce(std::vector<ZipEntry>{});
  ASSERT_TRUE(bytes.is_ok());
  EXPECT_EQ(bytes->size(), 22u);  // the end record alone
  EXPECT_EQ(exact_length({}), 22u);
  std::string archive = dir.file("empty.zip");
  write_file(archive, *bytes);
  auto listed = python_list(dir, archive);
  EXPECT_EQ(listed.output, "testzip: None\n");
}

TEST(ZipStreamTest, ExtractedTreeHasTheFilesAndEmptyFolders) {
  TempDir dir;
  auto bytes = produce(sample_entries());
  ASSERT_TRUE(bytes.is_ok());
  std::string archive = dir.file("tree.zip");
  write_file(archive, *bytes);
  auto unzip = run("unzip -q " + archive + " -d " + dir.file("out"));
  ASSERT_EQ(unzip.exit_code, 0) << unzip.output;
  EXPECT_TRUE(std::filesystem::is_directory(dir.file("out/docs/nothing-here")));
  EXPECT_EQ(std::filesystem::file_size(dir.file("out/docs/empty.txt")), 0u);
  EXPECT_EQ(std::filesystem::file_size(dir.file("out/docs/report.txt")), 18u);
  // The extended timestamp gives the exact second back.
  auto mtime = std::filesystem::last_write_time(dir.file("out/docs/report.txt"));
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::file_clock::to_sys(mtime).time_since_epoch());
  EXPECT_EQ(seconds.count(), 1709642096);
}

// 65,536 entries do not fit the 16-bit count: the Zip64 end record and locator carry it.
TEST(ZipStreamTest, SixtyFiveThousandFiveHundredThirtySixEntriesUseTheZip64EndRecord) {
  TempDir dir;
  constexpr int kFiles = 65535;
  std::vector<ZipEntry> entries;
  entries.push_back(folder_entry("many"));
  for (int i = 0; i < kFiles; ++i) {
    entries.push_back(file_entry("many/" + std::to_string(i) + ".txt", std::to_string(i % 10)));
  }
  auto length = exact_length(entries);
  auto bytes = produce(std::move(entries));
  ASSERT_TRUE(bytes.is_ok());
  ASSERT_TRUE(length.has_value());
  EXPECT_EQ(*length, bytes->size());
  // The end: Zip64 end record (56 bytes), locator (20), classic end record (22) with 0xFFFF.
  ASSERT_GT(bytes->size(), 98u);
  std::string tail = bytes->substr(bytes->size() - 98);
  EXPECT_EQ(tail.substr(0, 4), std::string("PK\x06\x06", 4));
  EXPECT_EQ(tail.substr(56, 4), std::string("PK\x06\x07", 4));
  EXPECT_EQ(tail.substr(76, 4), std::string("PK\x05\x06", 4));
  EXPECT_EQ(tail.substr(76 + 8, 4), std::string("\xff\xff\xff\xff", 4));

  // unzip and 7z check every CRC; zipfile and bsdtar count (zipfile's testzip would take
  // seconds more for nothing new).
  std::string archive = dir.file("many.zip");
  write_file(archive, *bytes);
  auto unzip = run("unzip -tq " + archive);
  EXPECT_EQ(unzip.exit_code, 0) << unzip.output;
  auto sevenzip = run("7z t " + archive);
  EXPECT_EQ(sevenzip.exit_code, 0) << sevenzip.output;
  EXPECT_NE(sevenzip.output.find("Files: 65535"), std::string::npos) << sevenzip.output;
  EXPECT_NE(sevenzip.output.find("Folders: 1"), std::string::npos) << sevenzip.output;
  write_file(dir.file("count.py"),
             "import sys, zipfile\n"
             "z = zipfile.ZipFile(sys.argv[1])\n"
             "print(len(z.infolist()), z.read('many/12345.txt').decode())\n");
  auto counted = run("/usr/bin/python3 " + dir.file("count.py") + " " + archive);
  EXPECT_EQ(counted.output, "65536 5\n");
  auto tar = run("bsdtar -tf " + archive + " | wc -l");
  EXPECT_EQ(tar.output, "65536\n");
}

TEST(ZipStreamTest, UnknownSizesAreCountedWhileStreaming) {
  TempDir dir;
  auto entries = sample_entries();
  for (auto& e : entries) e.size.reset();
  EXPECT_FALSE(exact_length(entries).has_value());
  auto bytes = produce(std::move(entries), 5);
  ASSERT_TRUE(bytes.is_ok());
  std::string archive = dir.file("unknown.zip");
  write_file(archive, *bytes);
  expect_readers_accept(archive);
  auto listed = python_list(dir, archive);
  EXPECT_NE(listed.output.find("testzip: None\n"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("top.bin|f|8|0001fffe504b0304|"), std::string::npos)
      << listed.output;
}

// Duplicates and hostile paths are renamed in the archive, and nothing lands outside the
// directory it is extracted into.
TEST(ZipStreamTest, UnsafeAndDuplicatePathsExtractInside) {
  TempDir dir;
  std::vector<ZipEntry> entries;
  entries.push_back(file_entry("../../escape.txt", "a"));
  entries.push_back(file_entry("/etc/passwd", "b"));
  entries.push_back(file_entry("..\\..\\win.txt", "c"));
  entries.push_back(file_entry("same.txt", "1"));
  entries.push_back(file_entry("same.txt", "2"));
  auto bytes = produce(std::move(entries));
  ASSERT_TRUE(bytes.is_ok());
  std::string archive = dir.file("unsafe.zip");
  write_file(archive, *bytes);
  auto tar = run("bsdtar -tf " + archive);
  EXPECT_EQ(tar.output, "_/_/escape.txt\netc/passwd\n.._.._win.txt\nsame.txt\nsame (2).txt\n");
  auto unzip = run("unzip -q " + archive + " -d " + dir.file("out"));
  EXPECT_EQ(unzip.exit_code, 0) << unzip.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("escape.txt")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("out/same (2).txt")));
}

// A source that yields `actual` bytes whatever was declared.
class CountingSource : public ByteSource {
 public:
  CountingSource(uint64_t actual, int* live) : left_(actual), live_(live) { ++*live_; }
  ~CountingSource() override { --*live_; }
  Result<size_t> read(std::span<std::byte> buf) override {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), left_));
    std::memset(buf.data(), 'z', n);
    left_ -= n;
    return n;
  }

 private:
  uint64_t left_;
  int* live_;
};

ZipEntry counted_entry(std::string path, uint64_t declared, uint64_t actual, int* live) {
  ZipEntry e;
  e.path = std::move(path);
  e.size = declared;
  e.open = [actual, live]() -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(std::make_unique<CountingSource>(actual, live));
  };
  return e;
}

TEST(ZipStreamTest, ContentEndingEarlyFailsTheStream) {
  int live = 0;
  std::vector<ZipEntry> entries;
  entries.push_back(counted_entry("short.txt", 10, 9, &live));
  ZipStream zip(entries_from(std::move(entries)));
  auto bytes = produce(zip, 4);
  ASSERT_FALSE(bytes.is_ok());
  EXPECT_EQ(bytes.status().code(), Errc::kCorruption);
  EXPECT_NE(bytes.status().message().find("ended after 9 of 10 bytes"), std::string::npos);
  // It stays failed: no later read can end the archive as if it were whole.
  std::array<std::byte, 16> buf;
  EXPECT_EQ(zip.read(buf).status().code(), Errc::kCorruption);
  EXPECT_EQ(live, 0);
}

TEST(ZipStreamTest, ContentRunningLongFailsTheStream) {
  int live = 0;
  for (size_t chunk : {1, 3, 64 * 1024}) {
    std::vector<ZipEntry> entries;
    entries.push_back(counted_entry("long.txt", 10, 11, &live));
    auto bytes = produce(std::move(entries), chunk);
    ASSERT_FALSE(bytes.is_ok());
    EXPECT_EQ(bytes.status().code(), Errc::kCorruption);
    EXPECT_NE(bytes.status().message().find("longer than 10 bytes"), std::string::npos);
  }
  // Declared empty, yet not.
  std::vector<ZipEntry> entries;
  entries.push_back(counted_entry("empty.txt", 0, 1, &live));
  EXPECT_EQ(produce(std::move(entries)).status().code(), Errc::kCorruption);
  EXPECT_EQ(live, 0);
}

// Entries are pulled one at a time and each content is opened only when reached and released
// after it: a folder of 100,000 files never has more than one stream open.
TEST(ZipStreamTest, EntriesArePulledAndOpenedLazily) {
  int live = 0;
  int pulled = 0;
  int opened = 0;
  int max_live = 0;
  constexpr int kFiles = 50;
  NextEntry next = [&]() -> Result<std::optional<ZipEntry>> {
    if (pulled == kFiles) return std::optional<ZipEntry>();
    ZipEntry e = counted_entry("f" + std::to_string(pulled), 100, 100, &live);
    auto open = std::move(e.open);
    e.open = [&opened, open]() {
      ++opened;
      return open();
    };
    ++pulled;
    return std::optional<ZipEntry>(std::move(e));
  };
  ZipStream zip(next);
  std::array<std::byte, 7> buf;
  auto first = zip.read(buf);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(pulled, 1);
  EXPECT_EQ(opened, 1);
  while (true) {
    auto n = zip.read(buf);
    ASSERT_TRUE(n.is_ok());
    max_live = std::max(max_live, live);
    EXPECT_LE(opened, pulled);
    if (*n == 0) break;
  }
  EXPECT_EQ(pulled, kFiles);
  EXPECT_EQ(opened, kFiles);
  EXPECT_EQ(max_live, 1);
  EXPECT_EQ(live, 0);
}

TEST(ZipStreamTest, ErrorsOfTheEntrySourceAndOfOpeningPassThrough) {
  NextEntry failing_next = []() -> Result<std::optional<ZipEntry>> {
    return Status(Errc::kUnavailable, "database gone");
  };
  ZipStream zip(failing_next);
  auto bytes = produce(zip, 100);
  EXPECT_EQ(bytes.status().code(), Errc::kUnavailable);

  std::vector<ZipEntry> entries;
  ZipEntry e = file_entry("x.txt", "x");
  e.open = []() -> Result<std::unique_ptr<ByteSource>> {
    return Status(Errc::kIoError, "chunk unreadable");
  };
  entries.push_back(std::move(e));
  EXPECT_EQ(produce(std::move(entries)).status().code(), Errc::kIoError);

  std::vector<ZipEntry> bad_name;
  bad_name.push_back(file_entry("bad\xff.txt", "x"));
  EXPECT_EQ(produce(std::move(bad_name)).status().code(), Errc::kInvalidName);
}

// Content for the large test: zero bytes except the first 8 of every MiB, which hold the MiB's
// index, so a reader can check where each piece came from. Never held in memory.
class LargeSource : public ByteSource {
 public:
  explicit LargeSource(uint64_t size) : size_(size) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), size_ - pos_));
    std::memset(buf.data(), 0, n);
    for (uint64_t mib = (pos_ + kMiB - 1) / kMiB * kMiB; mib < pos_ + n; mib += kMiB) {
      uint64_t index = mib / kMiB;
      for (int b = 0; b < 8 && mib + b < pos_ + n; ++b) {
        buf[mib + b - pos_] = static_cast<std::byte>(index >> (8 * b));
      }
    }
    pos_ += n;
    return n;
  }
  static constexpr uint64_t kMiB = 1 << 20;

 private:
  uint64_t size_;
  uint64_t pos_ = 0;
};

// Writes the archive into a sparse file: pages of zeros become holes, so 4 GiB cost almost no
// disk. Returns the archive's length.
Result<uint64_t> write_sparse(ZipStream& zip, const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status(Errc::kIoError, "open failed");
  constexpr size_t kPage = 4096;
  static const std::array<std::byte, kPage> kZeros{};
  std::vector<std::byte> buf(1 << 20);
  uint64_t total = 0;
  Status status;
  while (status.is_ok()) {
    auto n = zip.read(buf);
    if (!n) {
      status = n.status();
      break;
    }
    if (*n == 0) break;
    for (size_t at = 0; at < *n; at += kPage) {
      size_t len = std::min(kPage, *n - at);
      if (std::memcmp(buf.data() + at, kZeros.data(), len) != 0 &&
          ::pwrite(fd, buf.data() + at, len, static_cast<off_t>(total + at)) !=
              static_cast<ssize_t>(len)) {
        status = Status(Errc::kIoError, "write failed");
        break;
      }
    }
    total += *n;
  }
  if (status.is_ok() && ::ftruncate(fd, static_cast<off_t>(total)) != 0) {
    status = Status(Errc::kIoError, "ftruncate failed");
  }
  ::close(fd);
  if (!status.is_ok()) return status;
  return total;
}

// SLOW (tens of seconds: 4 GiB are CRC'd by the writer and again by Python). An entry over
// 4 GiB needs Zip64 sizes, the entry after it a Zip64 offset, and the archive the Zip64 end
// record; Python's zipfile reads the large entry through and checks its CRC and size.
TEST(ZipStreamLargeTest, EntryOverFourGiBIsReadBackByZipfile) {
  TempDir dir;
  constexpr uint64_t kSize = (4ULL << 30) + (1 << 20) + 3;
  std::vector<ZipEntry> entries;
  ZipEntry big;
  big.path = "big.bin";
  big.size = kSize;
  big.modified = kMarch5;
  big.open = [size = kSize]() -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(std::make_unique<LargeSource>(size));
  };
  entries.push_back(std::move(big));
  entries.push_back(file_entry("after.txt", "still here", kMarch5));
  auto length = exact_length(entries);

  ZipStream zip(entries_from(std::move(entries)));
  std::string archive = dir.file("large.zip");
  auto written = write_sparse(zip, archive);
  ASSERT_TRUE(written.is_ok()) << written.status().to_string();
  ASSERT_TRUE(length.has_value());
  EXPECT_EQ(*length, *written);

  write_file(dir.file("large.py"), R"(import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
info = z.getinfo("big.bin")
total, mib = 0, 0
with z.open(info) as f:  # zipfile checks the CRC-32 and the size at the end
    while True:
        piece = f.read(1 << 20)
        if not piece:
            break
        assert int.from_bytes(piece[:8], "little") == mib, mib
        total += len(piece)
        mib += 1
print(info.file_size, total, z.read("after.txt").decode(), len(z.infolist()))
)");
  auto checked = run("/usr/bin/python3 " + dir.file("large.py") + " " + archive);
  EXPECT_EQ(checked.output,
            std::to_string(kSize) + " " + std::to_string(kSize) + " still here 2\n");
  auto unzip = run("unzip -l " + archive);
  EXPECT_EQ(unzip.exit_code, 0) << unzip.output;
  EXPECT_NE(unzip.output.find(std::to_string(kSize)), std::string::npos) << unzip.output;
  auto sevenzip = run("7z l " + archive);
  EXPECT_EQ(sevenzip.exit_code, 0) << sevenzip.output;
  EXPECT_EQ(sevenzip.output.find("WARNING"), std::string::npos) << sevenzip.output;
  auto tar = run("bsdtar -tvf " + archive);
  EXPECT_EQ(tar.exit_code, 0) << tar.output;
  EXPECT_NE(tar.output.find(std::to_string(kSize)), std::string::npos) << tar.output;
}

}  // namespace
}  // namespace coffer::archive
