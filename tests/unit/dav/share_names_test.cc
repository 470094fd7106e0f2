#include "dav/share_names.h"

#include <gtest/gtest.h>

namespace coffer::dav {
namespace {

TEST(ShareNamesTest, DistinctNamesAreKept) {
  EXPECT_EQ(shared_entry_names({{3, "Photos", true}, {1, "notes.txt", false}}),
            (std::vector<std::string>{"Photos", "notes.txt"}));
}

TEST(ShareNamesTest, CollisionsAreNumberedByShareAgeWhateverTheInputOrder) {
  // The oldest share keeps the plain name, in whatever order the shares are listed.
  EXPECT_EQ(shared_entry_names({{9, "Photos", true}, {4, "Photos", true}, {6, "Photos", true}}),
            (std::vector<std::string>{"Photos (3)", "Photos", "Photos (2)"}));
  // Files keep their extension; folders with a dot in the name do not have one.
  EXPECT_EQ(shared_entry_names({{1, "report.pdf", false}, {2, "report.pdf", false}}),
            (std::vector<std::string>{"report.pdf", "report (2).pdf"}));
  EXPECT_EQ(shared_entry_names({{1, "v1.0", true}, {2, "v1.0", true}}),
            (std::vector<std::string>{"v1.0", "v1.0 (2)"}));
  EXPECT_EQ(shared_entry_names({{1, ".profile", false}, {2, ".profile", false}}),
            (std::vector<std::string>{".profile", ".profile (2)"}));
}

TEST(ShareNamesTest, AGeneratedNameNeverTakesAnOlderSharesRealName) {
  // "Photos (2)" is a real name of an older share, so the second "Photos" becomes "Photos (3)";
  // a younger real "Photos (2)" must step aside for the older generated one.
  EXPECT_EQ(shared_entry_names({{1, "Photos", true}, {2, "Photos (2)", true}, {3, "Photos", true}}),
            (std::vector<std::string>{"Photos", "Photos (2)", "Photos (3)"}));
  EXPECT_EQ(shared_entry_names({{1, "Photos", true}, {2, "Photos", true}, {3, "Photos (2)", true}}),
            (std::vector<std::string>{"Photos", "Photos (2)", "Photos (2) (2)"}));
}

}  // namespace
}  // namespace coffer::dav
