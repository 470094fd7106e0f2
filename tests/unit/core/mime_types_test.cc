#include "core/mime_types.h"

#include <gtest/gtest.h>

namespace coffer {
namespace {

TEST(MimeTypes, ByExtensionCaseInsensitive) {
  EXPECT_EQ(mime_type_for_name("photo.JPG"), "image/jpeg");
  EXPECT_EQ(mime_type_for_name("a.tar.gz"), "application/gzip");
  EXPECT_EQ(mime_type_for_name("notes.md"), "text/markdown");
  EXPECT_EQ(mime_type_for_name("zz.zip"), "application/zip");
  EXPECT_EQ(mime_type_for_name("a.7z"), "application/x-7z-compressed");
}

TEST(MimeTypes, UnknownIsOctetStream) {
  EXPECT_EQ(mime_type_for_name("README"), "application/octet-stream");
  EXPECT_EQ(mime_type_for_name("file."), "application/octet-stream");
  EXPECT_EQ(mime_type_for_name("x.unknownext"), "application/octet-stream");
}

TEST(MimeTypes, ActiveContentIsNeverInline) {
  EXPECT_FALSE(is_inline_safe_mime("text/html"));
  EXPECT_FALSE(is_inline_safe_mime("image/svg+xml"));
  EXPECT_FALSE(is_inline_safe_mime("application/octet-stream"));
  EXPECT_TRUE(is_inline_safe_mime("image/png"));
  EXPECT_TRUE(is_inline_safe_mime("application/pdf"));
}

}  // namespace
}  // namespace coffer
