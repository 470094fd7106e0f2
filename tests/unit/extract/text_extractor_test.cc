// The extractors on tiny documents made here: every format, and the damaged and hostile ones
// (truncated, corrupt, encrypted-looking, a zip bomb) that must fail cleanly or be cut short.

#include "extract/text_extractor.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>
#include <zip.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace coffer::extract {
namespace {

// A one-page PDF showing `text` in Helvetica, with a correct cross-reference table.
std::string make_pdf(const std::string& text) {
  const std::string stream = "BT /F1 24 Tf 72 720 Td (" + text + ") Tj ET";
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      "<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "\nendstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string out = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

// A zip archive (deflated entries) of `entries`, written by libzip through a temporary file.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  char path[] = "/tmp/coffer-extract-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  int error = 0;
  zip_t* zip = zip_open(path, ZIP_TRUNCATE, &error);
  EXPECT_NE(zip, nullptr);
  for (const auto& [name, data] : entries) {
    zip_source_t* source = zip_source_buffer(zip, data.data(), data.size(), 0);
    EXPECT_GE(zip_file_add(zip, name.c_str(), source, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(zip), 0);  // reads the buffers, which outlive it
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  unlink(path);
  return bytes.str();
}

std::string docx(const std::string& body) {
  return make_zip(
      {{"[Content_Types].xml", "<Types/>"},
       {"word/document.xml",
        "<?xml version=\"1.0\"?><w:document "
        "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" +
            body + "</w:body></w:document>"}});
}

std::string text_of(Format format, const std::string& bytes, const ExtractLimits& limits = {}) {
  auto text = extract_text(format, bytes, limits);
  EXPECT_TRUE(text.is_ok()) << text.status().to_string();
  return text.is_ok() ? *text : "";
}

TEST(DetectFormat, MagicBeatsTypeAndName) {
  EXPECT_EQ(detect_format("text/plain", "a.txt", "%PDF-1.7\n"), Format::kPdf);
  EXPECT_EQ(detect_format("", "a.bin", std::string("PK\x03\x04", 4)), Format::kOffice);
  EXPECT_EQ(detect_format("", "page", "  <!DOCTYPE html><p>x"), Format::kHtml);
  EXPECT_EQ(detect_format("text/markdown", "a.md", "# title"), Format::kPlain);
  EXPECT_EQ(detect_format("application/octet-stream", "data.CSV", "a,b"), Format::kPlain);
  EXPECT_EQ(detect_format("text/plain", "a.txt", std::string("ab\0cd", 5)), Format::kNone);
  EXPECT_EQ(detect_format("image/png", "a.png", "\x89PNG"), Format::kNone);
}

TEST(PlainText, RepairsUtf8AndDropsControlCharacters) {
  EXPECT_EQ(text_of(Format::kPlain, "caf\xC3\xA9 ok"), "caf\xC3\xA9 ok");
  // A lone continuation byte, an overlong '/', a surrogate: each becomes U+FFFD.
  EXPECT_EQ(text_of(Format::kPlain, "a\x80z \xC0\xAF \xED\xA0\x80"),
            "a\xEF\xBF\xBDz \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(text_of(Format::kPlain, "one\x01two\r\nthree\x1b"), "one two\nthree");
  // A truncated sequence at the end.
  EXPECT_EQ(text_of(Format::kPlain, "end\xE2\x82"), "end\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(PlainText, IsCappedAtACharacterBoundary) {
  ExtractLimits limits;
  limits.max_text_bytes = 5;
  EXPECT_EQ(text_of(Format::kPlain, "ab\xC3\xA9\xC3\xA9", limits), "ab\xC3\xA9");
  std::string big(3 << 20, 'x');
  EXPECT_EQ(text_of(Format::kPlain, big).size(), size_t{1} << 20);
}

TEST(Html, KeepsTextDropsScriptsAndStylesDecodesEntities) {
  const std::string page =
      "<!doctype html><html><head><title>The Title</title><style>p{color:red}</style>"
      "<script>var secret = 'hidden';</script></head><body><p>caf&eacute; &amp; "
      "<b>bold</b>text</p><div>next &#x263A;</div><noscript>nope</noscript></body></html>";
  const std::string text = text_of(Format::kHtml, page);
  EXPECT_NE(text.find("The Title"), std::string::npos);
  EXPECT_NE(text.find("caf\xC3\xA9 & boldtext"), std::string::npos) << text;
  EXPECT_NE(text.find("next \xE2\x98\xBA"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_EQ(text.find("color"), std::string::npos);
  EXPECT_EQ(text.find("nope"), std::string::npos);
}

TEST(Html, BrokenAndDeeplyNestedMarkupIsRecovered) {
  EXPECT_EQ(text_of(Format::kHtml, "<p>unclosed <b>bold <i>italic"), "unclosed bold italic");
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<div>";
  deep += "bottom";
  EXPECT_TRUE(extract_text(Format::kHtml, deep).is_ok());
}

TEST(Pdf, TextOfAPage) {
  const std::string text = text_of(Format::kPdf, make_pdf("Quarterly pangolin report"));
  EXPECT_NE(text.find("Quarterly pangolin report"), std::string::npos) << text;
}

TEST(Pdf, CorruptAndTruncatedFailCleanly) {
  const std::string pdf = make_pdf("hello");
  auto truncated = extract_text(Format::kPdf, pdf.substr(0, 40));
  if (truncated.is_ok()) {
    EXPECT_EQ(*truncated, "");  // nothing readable survived the cut
  } else {
    EXPECT_EQ(truncated.status().code(), Errc::kInvalidArgument);
  }
  auto garbage = extract_text(Format::kPdf, "%PDF-1.4\n" + std::string(5000, '\xAB'));
  EXPECT_TRUE(!garbage.is_ok() || garbage->empty());
  EXPECT_FALSE(extract_text(Format::kPdf, "").is_ok());
}

TEST(Office, DocxParagraphsAndTabs) {
  const std::string text = text_of(
      Format::kOffice,
      docx("<w:p><w:r><w:t>Hello</w:t></w:r><w:r><w:tab/><w:t xml:space=\"preserve\">big "
           "</w:t></w:r><w:r><w:t>world</w:t></w:r></w:p><w:p><w:r><w:t>second &amp; "
           "last</w:t></w:r></w:p><w:p><w:pPr><w:rStyle w:val=\"ignored\"/></w:pPr></w:p>"));
  EXPECT_EQ(text, "Hello big world\nsecond & last");
}

TEST(Office, XlsxSharedStrings) {
  const std::string xlsx = make_zip(
      {{"xl/workbook.xml", "<workbook/>"},
       {"xl/sharedStrings.xml",
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>Revenue"
        "</t></si><si><r><t>North</t></r><r><t>wind</t></r></si></sst>"}});
  EXPECT_EQ(text_of(Format::kOffice, xlsx), "Revenue\nNorthwind");
}

TEST(Office, OdtBody) {
  const std::string odt = make_zip(
      {{"mimetype", "application/vnd.oasis.opendocument.text"},
       {"content.xml",
        "<office:document-content "
        "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
        "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:text>"
        "<text:h>Title</text:h><text:p>one<text:s/>two</text:p></office:text></office:body>"
        "</office:document-content>"}});
  EXPECT_EQ(text_of(Format::kOffice, odt), "Title\none two");
}

TEST(Office, UnknownZipIsUnsupported) {
  auto text = extract_text(Format::kOffice, make_zip({{"readme.txt", "hello"}}));
  ASSERT_FALSE(text.is_ok());
  EXPECT_EQ(text.status().code(), Errc::kUnsupportedMediaType);
}

TEST(Office, TruncatedAndCorruptArchivesFailCleanly) {
  const std::string archive = docx("<w:p><w:r><w:t>Hello</w:t></w:r></w:p>");
  for (size_t cut : {size_t{4}, size_t{30}, archive.size() / 2, archive.size() - 10}) {
    auto text = extract_text(Format::kOffice, archive.substr(0, cut));
    ASSERT_FALSE(text.is_ok()) << cut;
    EXPECT_EQ(text.status().code(), Errc::kInvalidArgument) << cut;
  }
  std::string flipped = archive;
  for (size_t i = 40; i < flipped.size() / 2; i += 7) flipped[i] = static_cast<char>(~flipped[i]);
  EXPECT_FALSE(extract_text(Format::kOffice, flipped).is_ok());
  // Malformed XML inside a sound archive.
  auto bad_xml = extract_text(Format::kOffice, docx("<w:p><w:t>never closed"));
  EXPECT_FALSE(bad_xml.is_ok());
}

TEST(Office, ZipBombIsRefused) {
  // 32 MiB of zeros deflate to a few dozen KiB: far past the compression ratio limit.
  const std::string bomb = make_zip(
      {{"[Content_Types].xml", "<Types/>"},
       {"word/document.xml", "<w:document><w:body><w:p><w:t>" + std::string(32 << 20, ' ') +
                                 "</w:t></w:p></w:body></w:document>"}});
  ASSERT_LT(bomb.size(), size_t{1} << 20);
  auto text = extract_text(Format::kOffice, bomb);
  ASSERT_FALSE(text.is_ok());
  EXPECT_EQ(text.status().code(), Errc::kInvalidArgument);
  EXPECT_NE(text.status().message().find("zip bomb"), std::string::npos);

  // The total inflated from one archive is bounded too, whatever the ratio.
  ExtractLimits limits;
  limits.max_compression_ratio = 1000000;
  limits.max_unzipped_bytes = 1 << 20;
  EXPECT_FALSE(extract_text(Format::kOffice, bomb, limits).is_ok());
}

TEST(Office, ExternalEntitiesAreNeverLoaded) {
  const std::string xxe =
      make_zip({{"[Content_Types].xml", "<Types/>"},
                {"word/document.xml",
                 "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                 "<w:document xmlns:w=\"w\"><w:body><w:p><w:t>before &x; after</w:t></w:p></w:body>"
                 "</w:document>"}});
  auto text = extract_text(Format::kOffice, xxe);
  if (text.is_ok()) {
    EXPECT_EQ(text->find("root:"), std::string::npos) << *text;
  }
}

}  // namespace
}  // namespace coffer::extract
