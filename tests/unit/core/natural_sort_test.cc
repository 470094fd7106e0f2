#include "core/natural_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace coffer {
namespace {

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return natural_sort_key(a) < natural_sort_key(b);
  });
  return names;
}

TEST(NaturalSort, NumbersByValueAndLettersWithoutCase) {
  EXPECT_EQ(sorted({"README.txt", "doc-10.txt", "photo1.jpg", "doc-2.txt", "big.bin", "doc-1.txt"}),
            (std::vector<std::string>{"big.bin", "doc-1.txt", "doc-2.txt", "doc-10.txt",
                                      "photo1.jpg", "README.txt"}));
}

TEST(NaturalSort, LeadingZerosLongNumbersAndPrefixes) {
  EXPECT_EQ(sorted({"img007", "img10", "img8", "img", "img-1", "img0", "img12345678901234567890",
                    "img99999999999999999999"}),
            (std::vector<std::string>{"img", "img-1", "img0", "img007", "img8", "img10",
                                      "img12345678901234567890", "img99999999999999999999"}));
  // Equal by value and case: the bytes decide, and the keys differ.
  EXPECT_LT(natural_sort_key("A01"), natural_sort_key("a1"));
  EXPECT_NE(natural_sort_key("a1"), natural_sort_key("a01"));
  EXPECT_LT(natural_sort_key("a"), natural_sort_key("ab"));
  EXPECT_LT(natural_sort_key("a"), natural_sort_key("a1"));
}

TEST(NaturalSort, FoldsLatinGreekAndCyrillicCapitals) {
  EXPECT_EQ(sorted({"Яблоко", "Жук", "арбуз", "Ёж", "Банан"}),
            (std::vector<std::string>{"арбуз", "Банан", "Ёж", "Жук", "Яблоко"}));
  EXPECT_EQ(sorted({"Zebra", "apfel2", "Bär", "Äpfel", "Straße", "strasse1"}),
            (std::vector<std::string>{"Äpfel", "apfel2", "Bär", "Straße", "strasse1", "Zebra"}));
  EXPECT_LT(natural_sort_key("Αλφα"), natural_sort_key("βήτα"));
}

TEST(NaturalSort, EveryInputHasAValidKey) {
  const std::string broken = std::string("a\xff\xc3") + "b";
  const std::string key = natural_sort_key(broken);
  EXPECT_EQ(key.find('\0'), std::string::npos);
  EXPECT_TRUE(key.starts_with("ayab"));  // ÿ and Ã: the bytes read as Latin-1
}

}  // namespace
}  // namespace coffer
