// The HTTP server's ordinary exchanges: keep-alive, streamed bodies both ways, HEAD,
// 100-continue, and what the handler and on_complete see.

#include "http/server.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

#include "test_support.h"

namespace coffer::http {
namespace {

using namespace coffer::http::testing;

constexpr uint64_t kMiB = 1024 * 1024;

TEST(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  TestHandler handler;
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.connected());

  ASSERT_TRUE(client.send(get("/first")));
  auto one = client.read_response();
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  EXPECT_EQ(one->body, "GET /first");
  EXPECT_EQ(one->header("server"), "coffer");
  EXPECT_FALSE(one->header("date").empty());
  EXPECT_TRUE(one->keep_alive);

  ASSERT_TRUE(client.send(get("/second?x=1")));
  auto two = client.read_response();
  ASSERT_TRUE(two);
  EXPECT_EQ(two->body, "GET /second?x=1");

  auto done = handler.wait_completed(2);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].target, "/first");
  EXPECT_EQ(done[0].record.status, 200);
  EXPECT_FALSE(done[0].record.aborted);
  EXPECT_EQ(done[1].target, "/second?x=1");
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestHandler handler;
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("\r\n" + get("/a") + get("/b") + get("/c", "Connection: close\r\n")));
  for (const char* target : {"/a", "/b", "/c"}) {
    auto reply = client.read_response();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->body, std::string("GET ") + target);
  }
  EXPECT_TRUE(client.closed_by_server());
}

TEST(HttpServerTest, EmptyBodiesAreFinishedAtOnce) {
  TestHandler handler([](api::Request& r) {
    api::Response response;
    auto length = r.body->content_length();
    response.body = (length ? std::to_string(*length) : std::string("none")) + " " +
                    (r.body->finished() ? "finished" : "open") + " " + digest_body(r);
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n" + get("/b")));
  auto zero = client.read_response();
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->body, "0 finished " + expected_digest(0));
  auto none = client.read_response();
  ASSERT_TRUE(none);
  EXPECT_EQ(none->body, "none finished " + expected_digest(0));
}

TEST(HttpServerTest, PipelinedRequestAfterChunkedBodyIsServed) {
  TestHandler handler([](api::Request& r) {
    api::Response response;
    response.body = r.target + " " + digest_body(r);
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  std::string body = pattern(0, 3000);
  ASSERT_TRUE(client.send("POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                          std::string("bb8\r\n") + body + "\r\n0\r\n\r\n" + get("/b")));
  auto a = client.read_response();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->body, "/a " + expected_digest(3000));
  auto b = client.read_response();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body, "/b " + expected_digest(0));
}

TEST(HttpServerTest, HandlerSeesRequestParts) {
  TestHandler handler([](api::Request& r) {
    api::Response response;
    response.body = r.method + "|" + r.target + "|" + std::string(r.header("x-thing")) + "|" +
                    r.remote_address + "|" + std::to_string(r.headers.size());
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(
      client.send("BREW /pot/1?sugar=no HTTP/1.1\r\nHost: t\r\nX-Thing:  two words \r\n\r\n"));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "BREW|/pot/1?sugar=no|two words|127.0.0.1|2");
}

TEST(HttpServerTest, StreamedUploadWithContentLengthIsReadFully) {
  const uint64_t size = 5 * kMiB + 17;
  TestHandler handler([&](api::Request& r) {
    api::Response response;
    EXPECT_EQ(r.body->content_length(), size);
    response.body = digest_body(r);
    EXPECT_TRUE(r.body->finished());
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("PUT /up HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(size) +
                          "\r\n\r\n"));
  for (uint64_t off = 0; off < size; off += 64 * 1024) {
    ASSERT_TRUE(client.send(pattern(off, std::min<uint64_t>(64 * 1024, size - off))));
  }
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, expected_digest(size));
  EXPECT_TRUE(reply->keep_alive);

  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].record.bytes_in, size);
}

TEST(HttpServerTest, StreamedChunkedUploadIsReadFullyAndConnectionKept) {
  const uint64_t size = 5 * kMiB + 3;
  TestHandler handler([&](api::Request& r) {
    api::Response response;
    if (r.method == "GET") {
      response.body = r.method + " " + r.target;
      return response;
    }
    EXPECT_FALSE(r.body->content_length().has_value());
    response.body = digest_body(r, 7777);
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("PUT /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  // Chunks of very different sizes, some split across sends.
  const size_t sizes[] = {1, 1000, 65536, 300000, 17, 1 << 20};
  uint64_t off = 0;
  for (int i = 0; off < size; ++i) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(sizes[i % 6], size - off));
    char head[32];
    std::snprintf(head, sizeof head, "%zx%s\r\n", n, i % 3 == 0 ? ";ext=1" : "");
    std::string chunk = head + pattern(off, n) + "\r\n";
    size_t half = chunk.size() / 2;
    ASSERT_TRUE(client.send(std::string_view(chunk).substr(0, half)));
    ASSERT_TRUE(client.send(std::string_view(chunk).substr(half)));
    off += n;
  }
  ASSERT_TRUE(client.send("0\r\nX-Trailer: yes\r\n\r\n"));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, expected_digest(size));
  EXPECT_TRUE(reply->keep_alive);

  ASSERT_TRUE(client.send(get("/after")));
  auto after = client.read_response();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "GET /after");
}

// Handlers of requests without a body run on an I/O thread or on a worker: both ways.
class HttpServerBothWaysTest : public ::testing::TestWithParam<bool> {};

INSTANTIATE_TEST_SUITE_P(InlineOrWorker, HttpServerBothWaysTest, ::testing::Bool());

TEST_P(HttpServerBothWaysTest, StreamedResponseWithContentLength) {
  const uint64_t size = 6 * kMiB + 5;
  TestHandler handler([&](api::Request&) {
    api::Response response;
    response.stream = std::make_unique<PatternSource>(size, 100 * 1000);
    response.content_length = size;
    response.set_header("Content-Type", "application/octet-stream");
    return response;
  });
  RunningServer server(test_options(GetParam()), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/big") + get("/big")));
  for (int i = 0; i < 2; ++i) {
    auto reply = client.read_response();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    EXPECT_FALSE(reply->chunked);
    EXPECT_EQ(reply->header("content-length"), std::to_string(size));
    EXPECT_EQ(reply->header("content-type"), "application/octet-stream");
    Fnv f;
    f.add(reply->body.data(), reply->body.size());
    EXPECT_EQ(f.size(), size);
    EXPECT_EQ(f.hash(), pattern_hash(size));
  }
  auto done = handler.wait_completed(2);
  EXPECT_EQ(done[0].record.bytes_out, size);
}

TEST_P(HttpServerBothWaysTest, StreamedResponseWithoutLengthIsChunked) {
  const uint64_t size = 6 * kMiB + 123;
  TestHandler handler([&](api::Request& r) {
    api::Response response;
    if (r.target == "/small") {
      response.body = "small";
      return response;
    }
    response.stream = std::make_unique<PatternSource>(size, 333 * 1000);
    return response;
  });
  RunningServer server(test_options(GetParam()), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/big")));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_TRUE(reply->chunked);
  EXPECT_FALSE(reply->has_header("content-length"));
  EXPECT_EQ(reply->body.size(), size);
  Fnv f;
  f.add(reply->body.data(), reply->body.size());
  EXPECT_EQ(f.hash(), pattern_hash(size));

  ASSERT_TRUE(client.send(get("/small")));
  auto small = client.read_response();
  ASSERT_TRUE(small);
  EXPECT_EQ(small->body, "small");
}

TEST(HttpServerTest, EmptyStreamWithoutLengthSendsLastChunkOnly) {
  TestHandler handler([](api::Request&) {
    api::Response response;
    response.stream = std::make_unique<PatternSource>(0, 10);
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/empty")));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->chunked);
  EXPECT_EQ(reply->body, "");
}

TEST(HttpServerTest, HeadSendsHeadersWithoutBody) {
  TestHandler handler([](api::Request& r) {
    api::Response response;
    if (r.target == "/stream") {
      response.stream = std::make_unique<PatternSource>(1000, 1000);
      response.content_length = 1000;
    } else {
      response.body = "hello";
    }
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("HEAD /file HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client.read_response(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "5");
  EXPECT_EQ(head->body, "");

  ASSERT_TRUE(client.send("HEAD /stream HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto stream_head = client.read_response(/*head_request=*/true);
  ASSERT_TRUE(stream_head);
  EXPECT_EQ(stream_head->header("content-length"), "1000");

  // Nothing stray is left on the connection: the next response parses cleanly.
  ASSERT_TRUE(client.send(get("/file")));
  auto body = client.read_response();
  ASSERT_TRUE(body);
  EXPECT_EQ(body->body, "hello");
}

TEST(HttpServerTest, NoContentHasNoBodyOrLength) {
  TestHandler handler([](api::Request&) {
    api::Response response;
    response.status = 204;
    response.body = "ignored";
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/x") + get("/y")));
  for (int i = 0; i < 2; ++i) {
    auto reply = client.read_response();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 204);
    EXPECT_FALSE(reply->has_header("content-length"));
    EXPECT_EQ(reply->body, "");
  }
}

TEST(HttpServerTest, ExpectContinueGets100ThenFinalResponse) {
  TestHandler handler([](api::Request& r) {
    api::Response response;
    response.body = digest_body(r);
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(
      "PUT /c HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send(pattern(0, 100000)));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, expected_digest(100000));
}

TEST(HttpServerTest, ExpectContinueWithoutReadingBodyAnswersAndCloses) {
  TestHandler handler([](api::Request&) {
    api::Response response;
    response.status = 403;
    response.body = "no";
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(
      "PUT /c HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n"));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 403);  // no "100 Continue" first
  EXPECT_FALSE(reply->keep_alive);
  EXPECT_TRUE(client.closed_by_server());
}

TEST(HttpServerTest, SmallUnreadBodyIsDrainedAndConnectionKept) {
  TestHandler handler;  // never reads bodies
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" +
                          pattern(0, 5000)));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->keep_alive);
  ASSERT_TRUE(client.send(get("/next")));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /next");
}

TEST(HttpServerTest, LargeUnreadBodyClosesConnection) {
  TestHandler handler([](api::Request&) {
    api::Response response;
    response.status = 413;
    response.body = "too big";
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n" +
                          pattern(0, 100000)));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server());
}

TEST(HttpServerTest, ResponseCloseFlagClosesConnection) {
  TestHandler handler([](api::Request&) {
    api::Response response;
    response.body = "bye";
    response.close = true;
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/")));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "bye");
  EXPECT_FALSE(reply->keep_alive);
  EXPECT_TRUE(client.closed_by_server());
}

TEST(HttpServerTest, Http10ClientGetsCloseDelimitedStream) {
  TestHandler handler([](api::Request&) {
    api::Response response;
    response.stream = std::make_unique<PatternSource>(300000, 4096);
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("GET / HTTP/1.0\r\n\r\n"));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_FALSE(reply->chunked);
  EXPECT_EQ(reply->body, pattern(0, 300000));
}

TEST(HttpServerTest, Http10KeepAliveIsHonoured) {
  TestHandler handler;
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto one = client.read_response();
  ASSERT_TRUE(one);
  EXPECT_EQ(one->header("connection"), "keep-alive");
  ASSERT_TRUE(client.send("GET /b HTTP/1.0\r\n\r\n"));
  auto two = client.read_response();
  ASSERT_TRUE(two);
  EXPECT_EQ(two->body, "GET /b");
  EXPECT_TRUE(client.closed_by_server());
}

TEST(HttpServerTest, HandlerExceptionBecomes500) {
  TestHandler handler([](api::Request& r) -> api::Response {
    if (r.target == "/boom") throw std::runtime_error("boom");
    return api::Response{};
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/boom")));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 500);
  EXPECT_NE(reply->body.find("INTERNAL"), std::string::npos);
  ASSERT_TRUE(client.send(get("/fine")));
  auto fine = client.read_response();
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST(HttpServerTest, StreamFailingBeforeFirstByteGets500) {
  TestHandler handler([](api::Request&) {
    api::Response response;
    response.stream = std::make_unique<PatternSource>(1000, 100, 0);
    response.content_length = 1000;
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/")));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 500);
  EXPECT_NE(reply->body.find("IO_ERROR"), std::string::npos);
}

TEST(HttpServerTest, StreamFailingMidResponseClosesConnection) {
  const uint64_t size = 4 * kMiB;
  TestHandler handler([&](api::Request&) {
    api::Response response;
    response.stream = std::make_unique<PatternSource>(size, 64 * 1024, size / 2);
    response.content_length = size;
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/")));
  EXPECT_FALSE(client.read_response());  // cut short: the body never completes
  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].record.status, 200);
  EXPECT_TRUE(done[0].record.aborted);
  EXPECT_LT(done[0].record.bytes_out, size);
}

TEST(HttpServerTest, OnCompleteReportsStatusAndBodyBytes) {
  TestHandler handler([](api::Request& r) {
    api::Response response;
    response.status = 201;
    digest_body(r);
    response.body = "abc";
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(
      client.send("POST /files HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789"));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 201);
  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].method, "POST");
  EXPECT_EQ(done[0].target, "/files");
  EXPECT_EQ(done[0].record.status, 201);
  EXPECT_EQ(done[0].record.bytes_in, 10u);
  EXPECT_EQ(done[0].record.bytes_out, 3u);
  EXPECT_FALSE(done[0].record.aborted);
  EXPECT_GE(done[0].record.seconds, 0.0);
  EXPECT_EQ(handler.completed().size(), 1u);
}

TEST(HttpServerTest, ResponseHeadersCannotSplitTheResponse) {
  TestHandler handler([](api::Request&) {
    api::Response response;
    response.set_header("X-Good", "yes");
    response.set_header("X-Bad", "a\r\nSet-Cookie: evil=1");
    response.set_header("Content-Length", "999");
    response.body = "ok";
    return response;
  });
  RunningServer server(test_options(), handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/")));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header("x-good"), "yes");
  EXPECT_FALSE(reply->has_header("x-bad"));
  EXPECT_FALSE(reply->has_header("set-cookie"));
  EXPECT_EQ(reply->header("content-length"), "2");
  EXPECT_EQ(reply->body, "ok");
}

TEST(HttpServerTest, ListenFailsWhenAddressTaken) {
  TestHandler handler;
  RunningServer first(test_options(), handler);
  ServerOptions options = test_options();
  options.port = first.port();
  HttpServer second(options, handler);
  Status s = second.listen();
  EXPECT_EQ(s.code(), Errc::kUnavailable);
}

TEST(HttpServerTest, EachListenerAnswersWithItsOwnHandlerAndAllStopTogether) {
  TestHandler main_handler;
  TestHandler s3_handler([](api::Request& request) {
    api::Response r;
    r.body = "s3 " + request.target;
    return r;
  });
  uint16_t second_port = 0;
  RunningServer server(test_options(), main_handler, [&](HttpServer& s) {
    auto port = s.add_listener("127.0.0.1", 0, s3_handler);
    ASSERT_TRUE(port.is_ok()) << port.status().to_string();
    second_port = *port;
  });
  ASSERT_NE(second_port, 0);
  ASSERT_NE(second_port, server.port());
  Client main_client(server.port());
  Client s3_client(second_port);
  ASSERT_TRUE(main_client.send(get("/a")));
  ASSERT_TRUE(s3_client.send(get("/bucket/key")));
  auto main_reply = main_client.read_response();
  auto s3_reply = s3_client.read_response();
  ASSERT_TRUE(main_reply && s3_reply);
  EXPECT_EQ(main_reply->body, "GET /a");
  EXPECT_EQ(s3_reply->body, "s3 /bucket/key");
  EXPECT_EQ(main_handler.wait_completed(1).size(), 1u);
  EXPECT_EQ(s3_handler.wait_completed(1).size(), 1u);
  server.stop_and_wait();
  EXPECT_FALSE(Client(second_port).connected());
}

TEST(HttpServerTest, AddListenerFailsWhenAddressTaken) {
  TestHandler handler;
  RunningServer first(test_options(), handler);
  HttpServer second(test_options(), handler);
  ASSERT_TRUE(second.listen().is_ok());
  auto taken = second.add_listener("127.0.0.1", first.port(), handler);
  EXPECT_EQ(taken.status().code(), Errc::kUnavailable);
}

}  // namespace
}  // namespace coffer::http
