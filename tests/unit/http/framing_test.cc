// Requests whose framing is broken or ambiguous (RFC 9112 §6.3): each gets an error response
// from the server itself and the connection is closed, because the next request's start can
// no longer be found with confidence.

#include <gtest/gtest.h>

#include <string>

#include "http/server.h"
#include "test_support.h"

namespace coffer::http {
namespace {

using namespace coffer::http::testing;

struct Rejected {
  int status = 0;
  std::string body;
  bool closed = false;
};

// Sends `request` raw and reads the answer; the handler digests any body it is given.
Rejected send_raw(TestHandler& handler, const std::string& request,
                  ServerOptions options = test_options()) {
  handler.set([](api::Request& r) {
    api::Response response;
    response.body = digest_body(r);
    return response;
  });
  RunningServer server(options, handler);
  Client client(server.port());
  EXPECT_TRUE(client.send(request));
  Rejected out;
  auto reply = client.read_response();
  if (!reply) {
    ADD_FAILURE() << "no response";
    return out;
  }
  out.status = reply->status;
  out.body = reply->body;
  out.closed = client.closed_by_server();
  return out;
}

TEST(HttpFramingTest, ContentLengthWithChunkedIsRejected) {
  TestHandler handler;
  auto r = send_raw(handler,
                    "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("BAD_REQUEST"), std::string::npos);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(handler.handled(), 0);
  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].record.status, 400);
}

TEST(HttpFramingTest, ChunkedWithContentLengthIsRejected) {
  TestHandler handler;
  auto r = send_raw(handler,
                    "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(handler.handled(), 0);
}

TEST(HttpFramingTest, ContentLengthWithOtherTransferEncodingIsRejected) {
  // Beast accepts this pair; the server must not.
  TestHandler handler;
  auto r = send_raw(handler,
                    "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                    "Transfer-Encoding: gzip\r\n\r\nhello");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(handler.handled(), 0);
}

TEST(HttpFramingTest, TwoDifferentContentLengthsAreRejected) {
  TestHandler handler;
  auto r = send_raw(handler,
                    "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
                    "hello!");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(handler.handled(), 0);
}

TEST(HttpFramingTest, NonNumericContentLengthIsRejected) {
  TestHandler handler;
  auto r = send_raw(handler, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(handler.handled(), 0);
}

TEST(HttpFramingTest, NegativeContentLengthIsRejected) {
  TestHandler handler;
  auto r = send_raw(handler, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
}

TEST(HttpFramingTest, BadChunkSizeIsRejected) {
  TestHandler handler;
  auto r =
      send_raw(handler, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("BAD_REQUEST"), std::string::npos);
  EXPECT_TRUE(r.closed);
  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].record.status, 400);
}

TEST(HttpFramingTest, TransferEncodingNotEndingInChunkedIsRejected) {
  TestHandler handler;
  auto r =
      send_raw(handler, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(handler.handled(), 0);
}

TEST(HttpFramingTest, UnknownTransferCodingIsNotImplemented) {
  TestHandler handler;
  auto r =
      send_raw(handler, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  EXPECT_EQ(r.status, 501);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(handler.handled(), 0);
}

TEST(HttpFramingTest, MissingHostIsRejected) {
  TestHandler handler;
  auto r = send_raw(handler, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
}

TEST(HttpFramingTest, MalformedRequestLineIsRejected) {
  TestHandler handler;
  auto r = send_raw(handler, "GARBAGE\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
}

TEST(HttpFramingTest, MalformedHeaderIsRejected) {
  TestHandler handler;
  auto r = send_raw(handler, "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.closed);
}

TEST(HttpFramingTest, OversizedHeadGets431) {
  TestHandler handler;
  ServerOptions options = test_options();
  options.max_header_bytes = 4096;
  auto r = send_raw(handler, get("/", "X-Big: " + std::string(8000, 'a') + "\r\n"), options);
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(handler.handled(), 0);
  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].record.status, 431);
}

TEST(HttpFramingTest, HeadJustUnderTheLimitIsAccepted) {
  TestHandler handler;
  ServerOptions options = test_options();
  options.max_header_bytes = 4096;
  auto r = send_raw(
      handler, get("/", "X-Big: " + std::string(3000, 'a') + "\r\nConnection: close\r\n"), options);
  EXPECT_EQ(r.status, 200);
}

TEST(HttpFramingTest, UnknownMethodReachesHandler) {
  TestHandler handler;
  auto r = send_raw(handler, "FROB /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(handler.handled(), 1);
}

}  // namespace
}  // namespace coffer::http
