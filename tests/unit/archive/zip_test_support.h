#pragma once
// Helpers for the archive tests: content sources, writing an archive to a file, and running
// the zip readers (unzip, Python's zipfile, bsdtar, 7z) on it.

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../meta/temp_dir.h"
#include "archive/zip_stream.h"

namespace coffer::archive::testing {

using meta::testing::TempDir;  // shared with the meta tests

// Content held in a string.
class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// A file entry whose content is `data`, with its size declared.
inline ZipEntry file_entry(std::string path, std::string data, Micros modified = 0) {
  ZipEntry e;
  e.path = std::move(path);
  e.size = data.size();
  e.modified = modified;
  e.open = [data = std::move(data)]() -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(std::make_unique<StringSource>(data));
  };
  return e;
}

inline ZipEntry folder_entry(std::string path, Micros modified = 0) {
  ZipEntry e;
  e.path = std::move(path);
  e.is_folder = true;
  e.modified = modified;
  return e;
}

// Reads the whole archive in reads of `chunk` bytes.
inline Result<std::string> produce(ZipStream& zip, size_t chunk) {
  std::string out;
  std::vector<std::byte> buf(chunk);
  while (true) {
    auto n = zip.read(buf);
    if (!n) return n.status();
    if (*n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

inline Result<std::string> produce(std::vector<ZipEntry> entries, size_t chunk = 64 * 1024) {
  ZipStream zip(entries_from(std::move(entries)));
  return produce(zip, chunk);
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` with sh in a UTF-8 locale.
inline CommandResult run(const std::string& command) {
  CommandResult r;
  std::string full = "LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8 " + command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Lists the archive with Python's zipfile after testzip() (which reads every entry and checks
// its CRC): "testzip: None", then per entry "name|d or f|size|content (hex, or sha256 when
// over 64 bytes)|flag bits|date-time".
inline constexpr const char* kPythonLister = R"(import hashlib, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print("testzip:", z.testzip())
    for i in z.infolist():
        data = b"" if i.is_dir() else z.read(i)
        shown = data.hex() if len(data) <= 64 else hashlib.sha256(data).hexdigest()
        kind = "d" if i.is_dir() else "f"
        when = "-".join(str(x) for x in i.date_time)
        print(f"{i.filename}|{kind}|{i.file_size}|{shown}|{i.flag_bits:#x}|{when}")
)";

inline CommandResult python_list(const TempDir& dir, const std::string& archive) {
  write_file(dir.file("list.py"), kPythonLister);
  return run("/usr/bin/python3 " + dir.file("list.py") + " " + archive);
}

inline std::string hex(const std::string& s) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace coffer::archive::testing
