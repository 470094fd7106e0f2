#include "core/name_rules.h"

#include <gtest/gtest.h>

namespace coffer {
namespace {

TEST(NameRules, AcceptsOrdinaryNames) {
  auto r = normalize_name("report 2026 (final).pdf");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "report 2026 (final).pdf");
}

TEST(NameRules, NormalizesToNfc) {
  // "e" + combining acute accent (NFD) becomes the precomposed "é" (NFC).
  auto r = normalize_name("caf\x65\xCC\x81");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "caf\xC3\xA9");
}

TEST(NameRules, RejectsForbiddenNames) {
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("a/b"),
                          std::string("a\0b", 3), std::string("tab\there"), std::string("del\x7f"),
                          std::string("c1\xC2\x85"), std::string("\xFF\xFE"), std::string("\xC3"),
                          std::string(256, 'x')}) {
    auto r = normalize_name(bad);
    EXPECT_FALSE(r.is_ok()) << "accepted: " << bad;
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), Errc::kInvalidName);
    }
  }
}

TEST(NameRules, LimitIsInBytesAfterNormalization) {
  EXPECT_TRUE(normalize_name(std::string(255, 'x')).is_ok());
  // 128 two-byte characters = 256 bytes.
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "\xC3\xA9";
  EXPECT_FALSE(normalize_name(wide).is_ok());
}

// The variant a taken name gets ("Keep both", file drops): numbered before the extension,
// always a valid name.
TEST(NameRules, NumberedNamesKeepTheExtensionAndTheLimit) {
  EXPECT_EQ(numbered_name("report.pdf", 2), "report (2).pdf");
  EXPECT_EQ(numbered_name("notes", 3), "notes (3)");
  EXPECT_EQ(numbered_name(".profile", 2), ".profile (2)");
  EXPECT_EQ(numbered_name("archive.tar.gz", 10), "archive.tar (10).gz");
  EXPECT_EQ(numbered_name("Photos.2024", 2, /*before_extension=*/false), "Photos.2024 (2)");
  const std::string long_name = std::string(250, 'a') + ".txt";
  EXPECT_EQ(numbered_name(long_name, 2), std::string(247, 'a') + " (2).txt");
  // A cut never splits a character: 'é' is two bytes.
  std::string accents;
  while (accents.size() < 250) accents += "\xC3\xA9";
  const std::string varied = numbered_name(accents + ".txt", 2);
  EXPECT_LE(varied.size(), kMaxNameBytes);
  EXPECT_TRUE(normalize_name(varied).is_ok()) << varied;
  EXPECT_TRUE(
      normalize_name(numbered_name(std::string(200, 'x') + "." + std::string(54, 'e'), 7)).is_ok());
}

}  // namespace
}  // namespace coffer
