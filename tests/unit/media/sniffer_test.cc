// Content sniffing from many threads, and what it costs in mappings (issue 14: each thread's
// libmagic handle used to map its own copy of the 8 MiB database).

#include "media/sniffer.h"

#include <gtest/gtest.h>

#include <barrier>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace coffer::media {
namespace {

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// Mappings of the compiled magic database in this process.
int database_mappings() {
  std::ifstream maps("/proc/self/maps");
  int n = 0;
  for (std::string line; std::getline(maps, line);) {
    if (line.ends_with(".mgc")) ++n;
  }
  return n;
}

TEST(SnifferTest, ThreadsSniffTheSameTypesFromOneMappingOfTheDatabase) {
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x02\0\0\0\x01\x08\0\0\0\0", 29);
  const std::string pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
  std::vector<std::thread> threads;
  std::vector<std::string> got(3 * 8);
  // A thread's handle goes when the thread does: count the mappings while all are alive.
  std::barrier sync(8 + 1);
  int mappings = 0;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      got[3 * t] = sniff_mime(bytes(png));
      got[3 * t + 1] = sniff_mime(bytes(pdf));
      got[3 * t + 2] = sniff_mime(bytes("just some words\n"));
      sync.arrive_and_wait();
      sync.arrive_and_wait();
    });
  }
  sync.arrive_and_wait();
  mappings = database_mappings();
  sync.arrive_and_wait();
  for (auto& t : threads) t.join();
  for (int t = 0; t < 8; ++t) {
    EXPECT_EQ(got[3 * t], "image/png");
    EXPECT_EQ(got[3 * t + 1], "application/pdf");
    EXPECT_EQ(got[3 * t + 2], "text/plain");
  }
  EXPECT_LE(mappings, 1);
}

}  // namespace
}  // namespace coffer::media
