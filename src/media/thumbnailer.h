#pragma once
// Thumbnails, dimensions and EXIF of images, with libvips. libvips stays inside src/media:
// this header speaks plain C++ types only.
//
// Bounded work: only an allowlist of decoders (JPEG, PNG, WebP, GIF, TIFF, and HEIF/AVIF and
// PDF where the installed libvips has them) is ever used; an image whose header declares more
// than max_pixels is refused before any pixel is decoded; truncated or corrupt data is an
// error rather than a grey picture; a cancel flag or deadline stops the pixel pipeline.
// Derived images carry no metadata (EXIF, GPS, XMP, ICC are stripped), with the EXIF
// orientation applied to the pixels.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coffer::media {

struct VipsOptions {
  int64_t cache_max_mem_bytes = 64 * 1024 * 1024;  // libvips' operation cache
  int cache_max_ops = 100;
  int concurrency = 1;  // threads per image pipeline; jobs run in parallel already
};

// Starts libvips once per process (later calls do nothing). Errors: kInternal.
Status init_vips(const VipsOptions& options);

// Whether the installed libvips can decode images of this (sniffed) MIME type with an
// allowed decoder.
bool can_thumbnail(std::string_view mime);
// The MIME types can_thumbnail accepts on this installation.
std::vector<std::string> thumbnail_mime_types();

struct ThumbnailSpec {
  std::string variant;  // "small", "large"
  int size = 256;       // the longer side, in pixels; never enlarged
};

struct ImageLimits {
  uint64_t max_pixels = 100'000'000;  // width * height * pages of the source
  int64_t deadline_micros = 0;        // absolute (now_micros clock); 0: none
  const std::atomic<bool>* cancel = nullptr;
};

struct ThumbnailImage {
  std::string variant;
  std::string mime;  // "image/webp"
  int width = 0;
  int height = 0;
  std::string bytes;
};

struct ImageAnalysis {
  int width = 0;  // as displayed, after the EXIF orientation
  int height = 0;
  std::string camera_make;
  std::string camera_model;
  std::string taken_at;  // EXIF DateTimeOriginal, "YYYY:MM:DD HH:MM:SS"
  std::vector<ThumbnailImage> thumbnails;
};

// Decodes `data` and makes one thumbnail per spec. Errors: kUnsupportedMediaType (no allowed
// decoder recognises it), kPayloadTooLarge (over max_pixels), kInvalidArgument (truncated or
// corrupt), kUnavailable (cancelled or past the deadline).
Result<ImageAnalysis> make_thumbnails(std::string_view data,
                                      const std::vector<ThumbnailSpec>& specs,
                                      const ImageLimits& limits);

// How a preview fills the box it is asked for (the a and mode parameters of Nextcloud's
// preview endpoint).
enum class PreviewFit {
  kContain,  // within the box, aspect kept
  kCover,    // covers the box, aspect kept: one side may pass it
  kCrop,     // the box exactly, cut from the centre
};

// A preview of `webp` (one of the WebP thumbnails make_thumbnails made) for a box of `width`
// x `height` pixels (both at least 1), never enlarged: JPEG, or PNG when it has transparency.
// Errors: kUnsupportedMediaType (not WebP), kInvalidArgument (undecodable).
Result<ThumbnailImage> render_preview(std::string_view webp, int width, int height, PreviewFit fit);

}  // namespace coffer::media
