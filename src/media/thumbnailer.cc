#include "media/thumbnailer.h"

#include <vips/vips.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>

namespace coffer::media {
namespace {

struct Decoder {
  std::string_view mime;
  std::string_view loader;  // libvips type name of the buffer loader
};

// The only decoders ever run. ImageMagick, SVG (librsvg), FITS, matrix and the other loaders
// libvips may have are never reached, whatever a file claims to be.
constexpr std::array kDecoders = {
    Decoder{"image/jpeg", "VipsForeignLoadJpegBuffer"},
    Decoder{"image/png", "VipsForeignLoadPngBuffer"},
    Decoder{"image/webp", "VipsForeignLoadWebpBuffer"},
    Decoder{"image/gif", "VipsForeignLoadNsgifBuffer"},
    Decoder{"image/tiff", "VipsForeignLoadTiffBuffer"},
    Decoder{"image/heic", "VipsForeignLoadHeifBuffer"},
    Decoder{"image/heif", "VipsForeignLoadHeifBuffer"},
    Decoder{"image/avif", "VipsForeignLoadHeifBuffer"},
    Decoder{"application/pdf", "VipsForeignLoadPdfBuffer"},
};

// Loaders built as modules (HEIF, PDF) exist only where their module is installed.
bool loader_installed(std::string_view type_name) {
  return g_type_from_name(std::string(type_name).c_str()) != 0;
}

bool loader_allowed(std::string_view type_name) {
  for (const Decoder& d : kDecoders) {
    if (d.loader == type_name) return true;
  }
  return false;
}

// libvips reports errors in a global buffer; take its text and clear it.
std::string vips_error_text() {
  std::string text = vips_error_buffer();
  vips_error_clear();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > 300) text.resize(300);
  return text.empty() ? "libvips failed" : text;
}

struct ImageUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

// EXIF strings read "value (value, ASCII, n components, n bytes)": keep the value.
std::string exif_string(VipsImage* image, const char* field) {
  const char* value = nullptr;
  if (vips_image_get_typeof(image, field) == 0) return "";
  if (vips_image_get_string(image, field, &value) != 0 || value == nullptr) {
    vips_error_clear();
    return "";
  }
  std::string text(value);
  if (size_t paren = text.find(" ("); paren != std::string::npos) text.resize(paren);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > 200) text.resize(200);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return text;
}

int64_t now_micros_local() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct EvalGuard {
  const ImageLimits* limits;
};

// Called by libvips as the pipeline computes pixels: stops it once cancelled or late.
void on_eval(VipsImage* image, VipsProgress*, void* data) {
  const ImageLimits* limits = static_cast<EvalGuard*>(data)->limits;
  const bool cancelled = limits->cancel != nullptr && limits->cancel->load();
  const bool late = limits->deadline_micros != 0 && now_micros_local() > limits->deadline_micros;
  if (cancelled || late) vips_image_set_kill(image, TRUE);
}

// A copy of `image` without any metadata: EXIF (with GPS), XMP, IPTC, ICC, comments.
// libvips 8.14's WebP writer keeps EXIF even when asked to strip, so the fields go here.
Result<ImagePtr> without_metadata(VipsImage* image) {
  VipsImage* copy = nullptr;
  if (vips_copy(image, &copy, NULL) != 0) {
    return Status(Errc::kInternal, "cannot copy the image: " + vips_error_text());
  }
  ImagePtr out(copy);
  gchar** fields = vips_image_get_fields(out.get());
  for (gchar** f = fields; *f != nullptr; ++f) {
    const std::string_view name(*f);
    if (name.starts_with("exif-") || name.starts_with("xmp-") || name.starts_with("iptc-") ||
        name.starts_with("icc-") || name.starts_with("png-comment") || name == "orientation" ||
        name.starts_with("gif-comment") || name.starts_with("heif-") || name.starts_with("jpeg-")) {
      vips_image_remove(out.get(), *f);
    }
  }
  g_strfreev(fields);
  return out;
}

bool stopped(const ImageLimits& limits) {
  return (limits.cancel != nullptr && limits.cancel->load()) ||
         (limits.deadline_micros != 0 && now_micros_local() > limits.deadline_micros);
}

}  // namespace

Status init_vips(const VipsOptions& options) {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [&] {
    ok = VIPS_INIT("coffer") == 0;
    if (!ok) return;
    // Decoder warnings about hostile files would be unstructured lines in the JSON log; the
    // job's error says what failed.
    g_log_set_handler(
        "VIPS",
        static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO |
                                    G_LOG_LEVEL_DEBUG),
        [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
    vips_cache_set_max(options.cache_max_ops);
    vips_cache_set_max_mem(static_cast<size_t>(options.cache_max_mem_bytes));
    vips_concurrency_set(options.concurrency);
  });
  if (!ok) return Status(Errc::kInternal, "libvips failed to start");
  return Status::ok();
}

bool can_thumbnail(std::string_view mime) {
  for (const Decoder& d : kDecoders) {
    if (d.mime == mime) return loader_installed(d.loader);
  }
  return false;
}

std::vector<std::string> thumbnail_mime_types() {
  std::vector<std::string> out;
  for (const Decoder& d : kDecoders) {
    if (loader_installed(d.loader)) out.emplace_back(d.mime);
  }
  return out;
}

Result<ImageAnalysis> make_thumbnails(std::string_view data,
                                      const std::vector<ThumbnailSpec>& specs,
                                      const ImageLimits& limits) {
  const char* loader = vips_foreign_find_load_buffer(data.data(), data.size());
  if (loader == nullptr || !loader_allowed(loader)) {
    vips_error_clear();
    return Status(Errc::kUnsupportedMediaType, "not an image format thumbnails are made of");
  }
  // The header only: nothing is decoded until pixels are asked for.
  ImagePtr header(vips_image_new_from_buffer(data.data(), data.size(), "", NULL));
  if (!header) return Status(Errc::kInvalidArgument, "unreadable image: " + vips_error_text());
  const uint64_t pixels = static_cast<uint64_t>(vips_image_get_width(header.get())) *
                          static_cast<uint64_t>(vips_image_get_height(header.get()));
  if (pixels == 0 || pixels > limits.max_pixels) {
    return Status(Errc::kPayloadTooLarge,
                  "the image declares " + std::to_string(vips_image_get_width(header.get())) + "x" +
                      std::to_string(vips_image_get_height(header.get())) +
                      " pixels, over the limit of " + std::to_string(limits.max_pixels));
  }
  ImageAnalysis out;
  const bool swap = vips_image_get_orientation_swap(header.get());
  out.width = swap ? vips_image_get_height(header.get()) : vips_image_get_width(header.get());
  out.height = swap ? vips_image_get_width(header.get()) : vips_image_get_height(header.get());
  out.camera_make = exif_string(header.get(), "exif-ifd0-Make");
  out.camera_model = exif_string(header.get(), "exif-ifd0-Model");
  out.taken_at = exif_string(header.get(), "exif-ifd2-DateTimeOriginal");

  for (const ThumbnailSpec& spec : specs) {
    if (stopped(limits)) return Status(Errc::kUnavailable, "cancelled");
    VipsImage* raw = nullptr;
    // Truncated or damaged data fails instead of producing a partly grey picture.
    if (vips_thumbnail_buffer(const_cast<char*>(data.data()), data.size(), &raw, spec.size,
                              "height", spec.size, "size", VIPS_SIZE_DOWN, "option_string",
                              "fail_on=truncated", NULL) != 0) {
      return Status(Errc::kInvalidArgument, "cannot decode the image: " + vips_error_text());
    }
    ImagePtr decoded(raw);
    auto stripped = without_metadata(decoded.get());
    COFFER_RETURN_IF_ERROR(stripped);
    ImagePtr thumb = std::move(*stripped);
    EvalGuard guard{&limits};
    vips_image_set_progress(thumb.get(), TRUE);
    g_signal_connect(thumb.get(), "eval", G_CALLBACK(on_eval), &guard);
    void* buffer = nullptr;
    size_t length = 0;
    // strip: no EXIF (GPS, camera serials), XMP, IPTC or ICC in what is served.
    const int failed =
        vips_webpsave_buffer(thumb.get(), &buffer, &length, "Q", 80, "strip", TRUE, NULL);
    if (failed != 0 || buffer == nullptr) {
      if (stopped(limits)) {
        vips_error_clear();
        return Status(Errc::kUnavailable, "stopped: cancelled or over the time limit");
      }
      return Status(Errc::kInvalidArgument, "cannot decode the image: " + vips_error_text());
    }
    ThumbnailImage image;
    image.variant = spec.variant;
    image.mime = "image/webp";
    image.width = vips_image_get_width(thumb.get());
    image.height = vips_image_get_height(thumb.get());
    image.bytes.assign(static_cast<const char*>(buffer), length);
    g_free(buffer);
    out.thumbnails.push_back(std::move(image));
  }
  return out;
}

Result<ThumbnailImage> render_preview(std::string_view webp, int width, int height,
                                      PreviewFit fit) {
  const char* loader = vips_foreign_find_load_buffer(webp.data(), webp.size());
  if (loader == nullptr || std::string_view(loader) != "VipsForeignLoadWebpBuffer") {
    vips_error_clear();
    return Status(Errc::kUnsupportedMediaType, "previews are made of WebP thumbnails");
  }
  ImagePtr header(vips_image_new_from_buffer(webp.data(), webp.size(), "", NULL));
  if (!header) return Status(Errc::kInvalidArgument, "unreadable image: " + vips_error_text());
  const double source_width = vips_image_get_width(header.get());
  const double source_height = vips_image_get_height(header.get());
  if (fit == PreviewFit::kCover) {
    // The box that keeps the aspect and covers the one asked for; never past the source.
    const double scale = std::min(1.0, std::max(width / source_width, height / source_height));
    width = std::max(1, static_cast<int>(std::lround(source_width * scale)));
    height = std::max(1, static_cast<int>(std::lround(source_height * scale)));
  }
  VipsImage* raw = nullptr;
  const int failed =
      fit == PreviewFit::kCrop
          ? vips_thumbnail_buffer(const_cast<char*>(webp.data()), webp.size(), &raw, width,
                                  "height", height, "size", VIPS_SIZE_DOWN, "crop",
                                  VIPS_INTERESTING_CENTRE, NULL)
          : vips_thumbnail_buffer(const_cast<char*>(webp.data()), webp.size(), &raw, width,
                                  "height", height, "size", VIPS_SIZE_DOWN, NULL);
  if (failed != 0) {
    return Status(Errc::kInvalidArgument, "cannot decode the image: " + vips_error_text());
  }
  ImagePtr image(raw);
  const bool alpha = vips_image_hasalpha(image.get()) != 0;
  void* buffer = nullptr;
  size_t length = 0;
  const int saved =
      alpha ? vips_pngsave_buffer(image.get(), &buffer, &length, "strip", TRUE, NULL)
            : vips_jpegsave_buffer(image.get(), &buffer, &length, "Q", 85, "strip", TRUE, NULL);
  if (saved != 0 || buffer == nullptr) {
    return Status(Errc::kInvalidArgument, "cannot encode the preview: " + vips_error_text());
  }
  ThumbnailImage out;
  out.variant = "preview";
  out.mime = alpha ? "image/png" : "image/jpeg";
  out.width = vips_image_get_width(image.get());
  out.height = vips_image_get_height(image.get());
  out.bytes.assign(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return out;
}

}  // namespace coffer::media
