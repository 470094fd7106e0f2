#include "s3/xml.h"

#include <gtest/gtest.h>

namespace coffer::s3 {
namespace {

TEST(XmlTest, ErrorDocument) {
  auto doc = parse_error_document(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
      "<Message>The resource &amp; you requested does not exist</Message><Key>k</Key></Error>");
  EXPECT_EQ(doc.code, "NoSuchKey");
  EXPECT_EQ(doc.message, "The resource & you requested does not exist");
  EXPECT_EQ(parse_error_document("").code, "");
  EXPECT_EQ(parse_error_document("<Error><Code>x</Code>").code, "");  // not well-formed
  EXPECT_EQ(parse_error_document("<Other><Code>x</Code></Other>").code, "");
}

TEST(XmlTest, ListPage) {
  auto page = parse_list_page(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&amp;x</"
      "NextContinuationToken>"
      "<Contents><Key>p/chunks/ab/1</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
      "<ETag>\"e\"</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>p/chunks/cd/2</Key><LastModified>2009-10-12T17:50:31Z</LastModified>"
      "<Size>0</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(page.is_ok()) << page.status().to_string();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/chunks/ab/1");
  EXPECT_EQ(page->objects[0].size, 434234u);
  EXPECT_EQ(page->objects[0].last_modified_unix, 1255369830);
  EXPECT_EQ(page->objects[1].last_modified_unix, 1255369831);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&x");
}

TEST(XmlTest, MalformedListingsAreErrors) {
  EXPECT_FALSE(parse_list_page("<ListBucketResult>").is_ok());
  EXPECT_FALSE(parse_list_page("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size>"
                               "</Contents></ListBucketResult>")
                   .is_ok());
  EXPECT_FALSE(parse_list_page("<ListBucketResult><IsTruncated>true</IsTruncated>"
                               "</ListBucketResult>")
                   .is_ok());
}

TEST(XmlTest, Dates) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(parse_http_date("Fri, 24 May 2013 00:00:00 GMT"), 1369353600);
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_http_date("Fri, 24 May 2013"));
}

}  // namespace
}  // namespace coffer::s3
