#include "dav/xml_document.h"

#include <gtest/gtest.h>

#include "dav/dav_requests.h"

namespace coffer::dav {
namespace {

TEST(XmlDocumentTest, ResolvesNamespaces) {
  auto root = parse_xml(
      "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\" xmlns:x=\"urn:x\">"
      "<D:prop><x:color/><D:getetag/><plain/></D:prop></D:propfind>");
  ASSERT_TRUE(root.is_ok()) << root.status().to_string();
  EXPECT_TRUE(root->is("DAV:", "propfind"));
  const XmlElement* prop = root->child("DAV:", "prop");
  ASSERT_NE(prop, nullptr);
  auto items = prop->elements();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_TRUE(items[0]->is("urn:x", "color"));
  EXPECT_TRUE(items[1]->is("DAV:", "getetag"));
  EXPECT_TRUE(items[2]->is("", "plain"));
}

TEST(XmlDocumentTest, MalformedDocumentsAreInvalidArgument) {
  for (const char* bad :
       {"", "<a>", "<a></b>", "not xml", "<a xmlns:p=\"\"><p:b/></a>", "<a>\x01</a>", "<a/><b/>"}) {
    auto root = parse_xml(bad);
    ASSERT_FALSE(root.is_ok()) << bad;
    EXPECT_EQ(root.status().code(), Errc::kInvalidArgument) << bad;
  }
}

TEST(XmlDocumentTest, RefusesDoctypesSoEntitiesCannotExpand) {
  // The "billion laughs" shape and an external entity: both need a DTD.
  const char* laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
  const char* external =
      "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
  for (const char* doc : {laughs, external}) {
    auto root = parse_xml(doc);
    ASSERT_FALSE(root.is_ok());
    EXPECT_EQ(root.status().code(), Errc::kInvalidArgument);
    EXPECT_NE(root.status().message().find("DOCTYPE"), std::string::npos);
  }
}

TEST(XmlDocumentTest, EnforcesSizeDepthAndNodeLimits) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  EXPECT_FALSE(parse_xml(deep).is_ok());
  XmlLimits roomy;
  roomy.max_depth = 200;
  EXPECT_TRUE(parse_xml(deep, roomy).is_ok());

  std::string wide = "<a>";
  for (int i = 0; i < 50; ++i) wide += "<b/>";
  wide += "</a>";
  XmlLimits few;
  few.max_nodes = 10;
  EXPECT_FALSE(parse_xml(wide, few).is_ok());
  XmlLimits small;
  small.max_bytes = 16;
  EXPECT_FALSE(parse_xml(wide, small).is_ok());
}

TEST(XmlDocumentTest, SerializesSelfContained) {
  auto root = parse_xml(
      "<D:prop xmlns:D=\"DAV:\" xmlns:z=\"urn:z\"><z:p a=\"1&amp;2\">x &lt; y"
      "<inner xmlns=\"urn:inner\"/></z:p></D:prop>");
  ASSERT_TRUE(root.is_ok());
  const XmlElement& p = *root->elements().front();
  const std::string xml = serialize_xml(p);
  // Written on its own, it parses back to the same names, attributes and text.
  auto again = parse_xml(xml);
  ASSERT_TRUE(again.is_ok()) << xml;
  EXPECT_TRUE(again->is("urn:z", "p"));
  ASSERT_EQ(again->attributes.size(), 1u);
  EXPECT_EQ(again->attributes[0].value, "1&2");
  EXPECT_EQ(again->inner_text(), "x < y");
  ASSERT_EQ(again->elements().size(), 1u);
  EXPECT_TRUE(again->elements()[0]->is("urn:inner", "inner"));
}

TEST(XmlDocumentTest, TheXmlNamespaceKeepsItsReservedPrefixUndeclared) {
  auto root = parse_xml(
      "<D:prop xmlns:D=\"DAV:\"><xml:lang>en</xml:lang><p xml:space=\"preserve\"/></D:prop>");
  ASSERT_TRUE(root.is_ok());
  for (const XmlElement* element : root->elements()) {
    const std::string xml = serialize_xml(*element);
    EXPECT_EQ(xml.find("xmlns:"), std::string::npos) << xml;
    auto again = parse_xml(xml);
    ASSERT_TRUE(again.is_ok()) << xml;
  }
  EXPECT_EQ(serialize_xml(*root->elements()[0]), "<xml:lang>en</xml:lang>");
}

TEST(DavRequestsTest, Propfind) {
  auto empty = parse_propfind("");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_EQ(empty->kind, PropfindRequest::Kind::kAllProp);
  auto names = parse_propfind("<propfind xmlns=\"DAV:\"><propname/></propfind>");
  ASSERT_TRUE(names.is_ok());
  EXPECT_EQ(names->kind, PropfindRequest::Kind::kPropName);
  auto props = parse_propfind(
      "<propfind xmlns=\"DAV:\"><prop><getetag/><x:a xmlns:x=\"urn:x\"/></prop></propfind>");
  ASSERT_TRUE(props.is_ok());
  ASSERT_EQ(props->names.size(), 2u);
  EXPECT_EQ(props->names[1], (PropertyName{"urn:x", "a"}));
  EXPECT_FALSE(parse_propfind("<other xmlns=\"DAV:\"/>").is_ok());
  EXPECT_FALSE(parse_propfind("<propfind xmlns=\"DAV:\"/>").is_ok());
  EXPECT_FALSE(parse_propfind("<propfind xmlns=\"DAV:\"><prop>").is_ok());
}

TEST(DavRequestsTest, ProppatchKeepsOrder) {
  auto updates = parse_proppatch(
      "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:x=\"urn:x\">"
      "<D:set><D:prop><x:a>1</x:a></D:prop></D:set>"
      "<D:remove><D:prop><x:a/></D:prop></D:remove>"
      "<D:set><D:prop><x:b>2</x:b></D:prop></D:set></D:propertyupdate>");
  ASSERT_TRUE(updates.is_ok());
  ASSERT_EQ(updates->size(), 3u);
  EXPECT_FALSE((*updates)[0].remove);
  EXPECT_TRUE((*updates)[1].remove);
  EXPECT_EQ((*updates)[2].name, (PropertyName{"urn:x", "b"}));
  EXPECT_NE((*updates)[2].xml.find(">2<"), std::string::npos);
  EXPECT_FALSE(parse_proppatch("<D:propertyupdate xmlns:D=\"DAV:\"/>").is_ok());
  EXPECT_FALSE(parse_proppatch("<D:propertyupdate xmlns:D=\"DAV:\"><D:set/>"
                               "</D:propertyupdate>")
                   .is_ok());
}

TEST(DavRequestsTest, Lockinfo) {
  auto shared = parse_lockinfo(
      "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:shared/></D:lockscope>"
      "<D:locktype><D:write/></D:locktype><D:owner><D:href>me</D:href></D:owner></D:lockinfo>");
  ASSERT_TRUE(shared.is_ok());
  EXPECT_FALSE(shared->exclusive);
  EXPECT_NE(shared->owner_xml.find("me"), std::string::npos);
  EXPECT_FALSE(parse_lockinfo("<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/>"
                              "</D:lockscope></D:lockinfo>")
                   .is_ok());
}

}  // namespace
}  // namespace coffer::dav
