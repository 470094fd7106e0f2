// The media layer on its own: sniffing, the decoder allowlist, thumbnails and the limits.

#include "media/thumbnailer.h"

#include <gtest/gtest.h>

#include "media/sniffer.h"

namespace coffer::media {
namespace {

// A 2x1 black PNG, written by `vips black tiny.png 2 1` and pasted here.
std::string tiny_png() {
  static const unsigned char kBytes[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
      0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0xd1,
      0x49, 0x20, 0x56, 0x00, 0x00, 0x00, 0x09, 0x70, 0x48, 0x59, 0x73, 0x00, 0x00, 0x03, 0xe8,
      0x00, 0x00, 0x03, 0xe8, 0x01, 0xb5, 0x7b, 0x52, 0x6b, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44,
      0x41, 0x54, 0x08, 0x99, 0x63, 0x60, 0x60, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0xa0, 0xa6,
      0xa3, 0xd4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(kBytes), sizeof(kBytes));
}

class ThumbnailerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(init_vips({}).is_ok()); }
};

TEST_F(ThumbnailerTest, CommonFormatsHaveAnAllowedDecoder) {
  for (const char* mime : {"image/jpeg", "image/png", "image/webp", "image/gif", "image/tiff"}) {
    EXPECT_TRUE(can_thumbnail(mime)) << mime;
  }
  for (const char* mime : {"image/svg+xml", "image/bmp", "text/plain", "application/zip"}) {
    EXPECT_FALSE(can_thumbnail(mime)) << mime;
  }
}

TEST_F(ThumbnailerTest, MakesThumbnailsNeverEnlarged) {
  auto result = make_thumbnails(tiny_png(), {{"small", 256}}, {});
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  EXPECT_EQ(result->width, 2);
  EXPECT_EQ(result->height, 1);
  ASSERT_EQ(result->thumbnails.size(), 1u);
  EXPECT_EQ(result->thumbnails[0].mime, "image/webp");
  EXPECT_EQ(result->thumbnails[0].width, 2);
  EXPECT_EQ(result->thumbnails[0].bytes.substr(8, 4), "WEBP");
}

TEST_F(ThumbnailerTest, PreviewsAreRenderedFromTheWebPThumbnailsWithinTheirBox) {
  auto made = make_thumbnails(tiny_png(), {{"small", 256}}, {});
  ASSERT_TRUE(made.is_ok()) << made.status().to_string();
  const std::string& webp = made->thumbnails[0].bytes;  // 2x1
  auto contained = render_preview(webp, 1, 1, PreviewFit::kContain);
  ASSERT_TRUE(contained.is_ok()) << contained.status().to_string();
  EXPECT_EQ(contained->mime, "image/jpeg");
  EXPECT_EQ(contained->bytes.substr(0, 3), "\xff\xd8\xff");
  EXPECT_EQ(contained->width, 1);
  EXPECT_EQ(contained->height, 1);
  auto cropped = render_preview(webp, 1, 1, PreviewFit::kCrop);
  ASSERT_TRUE(cropped.is_ok());
  EXPECT_EQ(cropped->width, 1);
  EXPECT_EQ(cropped->height, 1);
  // Covering a 1x1 box keeps the whole 2x1; a larger box never enlarges it.
  auto covered = render_preview(webp, 1, 1, PreviewFit::kCover);
  ASSERT_TRUE(covered.is_ok());
  EXPECT_EQ(covered->width, 2);
  EXPECT_EQ(covered->height, 1);
  auto large = render_preview(webp, 500, 500, PreviewFit::kContain);
  ASSERT_TRUE(large.is_ok());
  EXPECT_EQ(large->width, 2);
  // Only our own WebP thumbnails are read here.
  EXPECT_EQ(render_preview(tiny_png(), 1, 1, PreviewFit::kContain).status().code(),
            Errc::kUnsupportedMediaType);
}

TEST_F(ThumbnailerTest, PixelLimitRefusesBeforeDecoding) {
  ImageLimits limits;
  limits.max_pixels = 1;
  auto result = make_thumbnails(tiny_png(), {{"small", 256}}, limits);
  EXPECT_EQ(result.status().code(), Errc::kPayloadTooLarge);
}

TEST_F(ThumbnailerTest, TruncatedAndForeignDataFail) {
  std::string png = tiny_png();
  auto truncated = make_thumbnails(png.substr(0, 50), {{"small", 256}}, {});
  EXPECT_FALSE(truncated.is_ok());
  auto svg = make_thumbnails("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
                             {{"small", 256}}, {});
  EXPECT_EQ(svg.status().code(), Errc::kUnsupportedMediaType) << "SVG is never decoded";
}

TEST_F(ThumbnailerTest, CancelledWorkStops) {
  std::atomic<bool> cancel{true};
  ImageLimits limits;
  limits.cancel = &cancel;
  EXPECT_EQ(make_thumbnails(tiny_png(), {{"small", 256}}, limits).status().code(),
            Errc::kUnavailable);
}

TEST(SnifferTest, TypeComesFromTheBytes) {
  std::string png = tiny_png();
  EXPECT_EQ(sniff_mime(std::as_bytes(std::span(png.data(), png.size()))), "image/png");
  std::string text = "hello world\n";
  EXPECT_EQ(sniff_mime(std::as_bytes(std::span(text.data(), text.size()))), "text/plain");
  EXPECT_EQ(sniff_mime({}), "application/octet-stream");
  EXPECT_EQ(effective_mime("text/plain", "text/markdown"), "text/markdown");
  EXPECT_EQ(effective_mime("text/plain", "text/html"), "text/plain");
  EXPECT_EQ(effective_mime("image/png", "text/markdown"), "image/png");
}

}  // namespace
}  // namespace coffer::media
