// PDF through poppler-cpp, page by page, bounded by pages and time. poppler reports damage
// on stderr by default; that is silenced: a damaged PDF is the uploader's business, and the
// text of the pages that could be read is kept.

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <memory>
#include <mutex>

#include "extract/formats.h"

namespace coffer::extract {
namespace {

void silence_poppler() {
  static std::once_flag once;
  std::call_once(
      once, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
}

}  // namespace

Status pdf_text(std::string_view bytes, const ExtractLimits& limits, TextBuffer& out) {
  silence_poppler();
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return Status(Errc::kInvalidArgument, "the PDF is too large");
  }
  const auto deadline = std::chrono::steady_clock::now() + limits.max_time;
  try {
    std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
    if (!doc)
      return Status(Errc::kInvalidArgument, "the PDF cannot be read (damaged or truncated)");
    if (doc->is_locked()) return Status(Errc::kInvalidArgument, "the PDF is encrypted");
    const int pages = std::min(doc->pages(), limits.max_pdf_pages);
    for (int i = 0; i < pages && !out.full(); ++i) {
      if (std::chrono::steady_clock::now() > deadline) break;
      std::unique_ptr<poppler::page> page(doc->create_page(i));
      if (!page) continue;
      const std::vector<char> utf8 = page->text().to_utf8();
      out.append(std::string_view(utf8.data(), utf8.size()));
      out.newline();
    }
  } catch (const std::exception& e) {
    // poppler-cpp does not throw by design; memory exhaustion on a hostile file may.
    return Status(Errc::kInvalidArgument, std::string("the PDF cannot be read: ") + e.what());
  }
  return Status::ok();
}

}  // namespace coffer::extract
