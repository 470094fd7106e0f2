// ZipNamer: what paths become in an archive.

#include "archive/zip_names.h"

#include <gtest/gtest.h>

namespace coffer::archive {
namespace {

std::string assign(ZipNamer& namer, std::string_view path, bool is_folder = false) {
  auto name = namer.assign(path, is_folder);
  EXPECT_TRUE(name.is_ok()) << path << ": " << name.status().to_string();
  return name.is_ok() ? *name : "";
}

TEST(ZipNamerTest, PathsThatWouldEscapeAreMadeRelative) {
  ZipNamer namer;
  EXPECT_EQ(assign(namer, "/etc/passwd"), "etc/passwd");
  EXPECT_EQ(assign(namer, "../../x"), "_/_/x");
  EXPECT_EQ(assign(namer, "a/./b//c"), "a/b/c");
  EXPECT_EQ(assign(namer, "..\\evil"), ".._evil");
  EXPECT_EQ(assign(namer, std::string("nul\0byte", 8)), "nul_byte");
  EXPECT_EQ(assign(namer, "tab\there"), "tab_here");
  EXPECT_EQ(assign(namer, "f/", true), "f/");
  EXPECT_EQ(assign(namer, "g", true), "g/");
}

TEST(ZipNamerTest, UnusablePathsAreRefused) {
  ZipNamer namer;
  EXPECT_EQ(namer.assign("", false).status().code(), Errc::kInvalidName);
  EXPECT_EQ(namer.assign("/./", true).status().code(), Errc::kInvalidName);
  EXPECT_EQ(namer.assign("caf\xc3", false).status().code(), Errc::kInvalidName);
  EXPECT_EQ(namer.assign(std::string(70000, 'a'), false).status().code(), Errc::kInvalidName);
}

TEST(ZipNamerTest, DuplicatesGetANumberBeforeTheExtension) {
  ZipNamer namer;
  EXPECT_EQ(assign(namer, "report.pdf"), "report.pdf");
  EXPECT_EQ(assign(namer, "report.pdf"), "report (2).pdf");
  EXPECT_EQ(assign(namer, "report.pdf"), "report (3).pdf");
  EXPECT_EQ(assign(namer, "report (2).pdf"), "report (2) (2).pdf");
  EXPECT_EQ(assign(namer, ".bashrc"), ".bashrc");
  EXPECT_EQ(assign(namer, ".bashrc"), ".bashrc (2)");
  EXPECT_EQ(assign(namer, "v1.2/notes"), "v1.2/notes");
  EXPECT_EQ(assign(namer, "v1.2/notes"), "v1.2/notes (2)");
  // The same stream of paths always gives the same names.
  ZipNamer again;
  EXPECT_EQ(assign(again, "report.pdf"), "report.pdf");
  EXPECT_EQ(assign(again, "report.pdf"), "report (2).pdf");
}

TEST(ZipNamerTest, FilesAndFoldersShareOneNamespace) {
  ZipNamer namer;
  EXPECT_EQ(assign(namer, "docs"), "docs");
  EXPECT_EQ(assign(namer, "docs", true), "docs (2)/");
  EXPECT_EQ(assign(namer, "docs/a.txt"), "docs (2)/a.txt");
  // A folder implied by a path takes its name too.
  EXPECT_EQ(assign(namer, "x/y/z.txt"), "x/y/z.txt");
  EXPECT_EQ(assign(namer, "x/y"), "x/y (2)");
}

// Two selected folders with the same name: the second and its whole subtree are renamed.
TEST(ZipNamerTest, ARenamedFolderTakesItsSubtreeAlong) {
  ZipNamer namer;
  EXPECT_EQ(assign(namer, "photos", true), "photos/");
  EXPECT_EQ(assign(namer, "photos/a.jpg"), "photos/a.jpg");
  EXPECT_EQ(assign(namer, "photos", true), "photos (2)/");
  EXPECT_EQ(assign(namer, "photos/a.jpg"), "photos (2)/a.jpg");
  EXPECT_EQ(assign(namer, "photos/2024", true), "photos (2)/2024/");
  EXPECT_EQ(assign(namer, "photos/2024/b.jpg"), "photos (2)/2024/b.jpg");
  EXPECT_EQ(assign(namer, "photos", true), "photos (3)/");
  EXPECT_EQ(assign(namer, "photos/2024", true), "photos (3)/2024/");
  EXPECT_EQ(assign(namer, "photos/2024/b.jpg"), "photos (3)/2024/b.jpg");
  EXPECT_EQ(assign(namer, "other.txt"), "other.txt");
}

}  // namespace
}  // namespace coffer::archive
