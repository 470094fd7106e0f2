#pragma once
// The order people expect names in: case-insensitive, and numbers by their value, so that
// "doc-2.txt" comes before "doc-10.txt" and "photo1.jpg" before "README.txt". Listings sort by
// a key computed here and stored with each node (nodes.name_key), so SQLite and PostgreSQL
// order alike, byte by byte, and a page continues exactly where the last one ended.

#include <string>
#include <string_view>

namespace coffer {

// The sort key of `name` (UTF-8). Comparing two keys byte by byte orders their names:
// - letters compare case-insensitively (ASCII, Latin-1, Greek and Cyrillic capitals fold to
//   their small letters), Latin-1's accented letters as their base letters (ä as a, ß as ss);
// - a run of digits compares by its value (leading zeros ignored), and sorts where a digit
//   would among other characters (after '-' and '.', before letters);
// - names equal under both rules ("a1" and "A01") keep their byte order, so the key of every
//   distinct name is distinct.
// The key is valid UTF-8 without NUL; at most about twice the name's length.
std::string natural_sort_key(std::string_view name);

}  // namespace coffer
