// Connections that end badly or are ended by the server: clients going away mid-body,
// timeouts, the connection cap, and graceful shutdown.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "test_support.h"

namespace coffer::http {
namespace {

using namespace coffer::http::testing;
using namespace std::chrono_literals;

// A one-shot signal between a handler and the test.
class Latch {
 public:
  void open() { promise_.set_value(); }
  bool wait() { return future_.wait_for(kTestTimeout) == std::future_status::ready; }

 private:
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

TEST(HttpLifecycleTest, ClientDisconnectMidBodyFailsTheRead) {
  std::promise<Status> seen;
  TestHandler handler([&](api::Request& r) {
    std::byte buf[4096];
    uint64_t total = 0;
    for (;;) {
      Result<size_t> n = r.body->read(buf);
      if (!n) {
        seen.set_value(n.status());
        break;
      }
      if (*n == 0) {
        seen.set_value(Status(Errc::kInternal, "body ended at " + std::to_string(total)));
        break;
      }
      total += *n;
    }
    return api::Response{};
  });
  RunningServer server(test_options(), handler);
  {
    Client client(server.port());
    // More than the connection reads ahead, so the handler runs and reads the rest.
    ASSERT_TRUE(client.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" +
                            pattern(0, 100000)));
    std::this_thread::sleep_for(50ms);
  }  // closed with 900000 bytes missing
  auto status = seen.get_future();
  ASSERT_EQ(status.wait_for(kTestTimeout), std::future_status::ready);
  EXPECT_EQ(status.get().code(), Errc::kClientClosed);
  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].record.bytes_in, 100000u);
}

TEST(HttpLifecycleTest, ClientLeavingBeforeItsBodyIsReadAheadIsA499) {
  TestHandler handler;
  RunningServer server(test_options(), handler);
  {
    Client client(server.port());
    ASSERT_TRUE(client.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" +
                            pattern(0, 100)));
    std::this_thread::sleep_for(50ms);
  }
  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].record.status, 499);
  EXPECT_TRUE(done[0].record.aborted);
  EXPECT_EQ(handler.handled(), 0);  // no handler ever waited for the missing bytes
}

// Slow bodies must not hold every worker: small ones are read ahead without a worker, and
// handlers that wait for a client take stream slots, of which there are fewer than workers.
TEST(HttpLifecycleTest, SlowBodiesLeaveWorkersForOtherRequests) {
  TestHandler handler([](api::Request& r) {
    api::Response response;
    response.body = digest_body(r);
    return response;
  });
  ServerOptions options = test_options();  // 4 workers: 3 stream slots
  RunningServer server(options, handler);
  std::vector<std::unique_ptr<Client>> slow;
  for (int i = 0; i < 6; ++i) {  // small bodies that stall: read ahead, no handler runs
    slow.push_back(std::make_unique<Client>(server.port()));
    ASSERT_TRUE(slow.back()->send("POST /s HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nx"));
  }
  for (int i = 0; i < 6; ++i) {  // large bodies that stall in their handlers
    slow.push_back(std::make_unique<Client>(server.port()));
    ASSERT_TRUE(slow.back()->send(
        "PUT /l HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n"));
  }
  std::this_thread::sleep_for(200ms);
  Client client(server.port());
  ASSERT_TRUE(
      client.send("POST /ok HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n" + pattern(0, 5)));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, expected_digest(5));
}

TEST(HttpLifecycleTest, IdleConnectionIsClosedAfterIdleTimeout) {
  TestHandler handler;
  ServerOptions options = test_options();
  options.idle_timeout = 1s;
  RunningServer server(options, handler);
  Client fresh(server.port());
  Client used(server.port());
  ASSERT_TRUE(used.send(get("/")));
  ASSERT_TRUE(used.read_response());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(fresh.closed_by_server());
  EXPECT_TRUE(used.closed_by_server());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 500ms);
  EXPECT_EQ(handler.completed().size(), 1u);  // a quiet close is not an exchange
}

// A head, or a small body (read ahead before any handler runs), that stalls gets a 408 and
// the connection closes; no handler ever waits for it.
class HttpStalledRequestTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HttpStalledRequestTest, Gets408WithoutAHandler) {
  TestHandler handler;
  ServerOptions options = test_options();
  options.read_timeout = 1s;
  RunningServer server(options, handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(GetParam()));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 408);
  EXPECT_NE(reply->body.find("REQUEST_TIMEOUT"), std::string::npos);
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(handler.handled(), 0);
  auto done = handler.wait_completed(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].record.status, 408);
}

INSTANTIATE_TEST_SUITE_P(
    HeadAndSmallBody, HttpStalledRequestTest,
    ::testing::Values("GET / HTTP/1.1\r\nHo",
                      "PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789"));

TEST(HttpLifecycleTest, StalledBodyTimesOutWith408) {
  std::promise<Errc> seen;
  TestHandler handler([&](api::Request& r) {
    std::string digest = digest_body(r);
    seen.set_value(r.body->finished() ? Errc::kOk : Errc::kRequestTimeout);
    api::Response response;
    response.body = digest;
    return response;
  });
  ServerOptions options = test_options();
  options.read_timeout = 1s;
  RunningServer server(options, handler);
  Client client(server.port());
  // Past the read-ahead, so the handler is reading when the body stalls.
  ASSERT_TRUE(client.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" +
                          pattern(0, 100000)));
  auto reply = client.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 408);
  EXPECT_TRUE(client.closed_by_server());
  auto f = seen.get_future();
  ASSERT_EQ(f.wait_for(kTestTimeout), std::future_status::ready);
  EXPECT_EQ(f.get(), Errc::kRequestTimeout);
}

// The minimum body rate (500 bytes/s over every read_timeout of waiting), for a body read
// ahead of its handler (the parameter: its length, at most 64 KiB) and for one its handler
// reads (longer, the first 100,000 bytes sent at once).
class HttpBodyRateTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  // Sends `piece` bytes every `interval` from another thread until the body is complete, the
  // server has closed the connection or 10 s have passed; then answers the response.
  std::optional<Reply> trickle(size_t piece, std::chrono::milliseconds interval) {
    const uint64_t length = GetParam();
    const uint64_t first = length > 64 * 1024 ? 100000 : 0;
    if (!client_.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(length) +
                      "\r\n\r\n" + pattern(0, first))) {
      return std::nullopt;
    }
    std::atomic<bool> stop{false};
    std::thread sender([&] {
      uint64_t sent = first;
      for (auto until = std::chrono::steady_clock::now() + 10s;
           sent < length && !stop.load() && std::chrono::steady_clock::now() < until;) {
        std::this_thread::sleep_for(interval);
        size_t n = static_cast<size_t>(std::min<uint64_t>(piece, length - sent));
        if (!client_.send(pattern(sent, n))) return;
        sent += n;
      }
    });
    auto reply = client_.read_response();
    stop.store(true);
    sender.join();
    return reply;
  }

  TestHandler handler_{[](api::Request& r) {
    api::Response response;
    response.body = digest_body(r);
    return response;
  }};
  RunningServer server_{[] {
                          ServerOptions options = test_options();
                          options.read_timeout = 1s;  // 500 bytes per second of waiting
                          return options;
                        }(),
                        handler_};
  Client client_{server_.port()};
};

TEST_P(HttpBodyRateTest, ABodyBelowTheRateGets408) {
  auto start = std::chrono::steady_clock::now();
  auto reply = trickle(10, 100ms);  // 100 bytes/s
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 408);
  // Cut off while the client still sends (after about one read_timeout), not by a read
  // timeout once it stops after 10 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
  EXPECT_NE(reply->body.find("REQUEST_TIMEOUT"), std::string::npos);
  EXPECT_TRUE(client_.closed_by_server());
}

TEST_P(HttpBodyRateTest, ABodyWellAboveTheRateIsRead) {
  auto reply = trickle(2000, 100ms);  // 20,000 bytes/s, for two seconds and more
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, expected_digest(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(BodyRates, HttpBodyRateTest, ::testing::Values(40000u, 140000u));

TEST(HttpLifecycleTest, ConnectionsOverTheCapGet503) {
  TestHandler handler;
  ServerOptions options = test_options();
  options.max_connections = 1;
  RunningServer server(options, handler);
  Client first(server.port());
  ASSERT_TRUE(first.send(get("/")));
  ASSERT_TRUE(first.read_response());  // the first connection is surely accepted and counted
  Client second(server.port());
  auto reply = second.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
  EXPECT_NE(reply->body.find("UNAVAILABLE"), std::string::npos);
  EXPECT_TRUE(second.closed_by_server());
  // The first connection still works.
  ASSERT_TRUE(first.send(get("/again")));
  auto again = first.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

class HttpLifecycleBothWaysTest : public ::testing::TestWithParam<bool> {};

INSTANTIATE_TEST_SUITE_P(InlineOrWorker, HttpLifecycleBothWaysTest, ::testing::Bool());

TEST_P(HttpLifecycleBothWaysTest, StopLetsARunningRequestFinish) {
  Latch started;
  Latch release;
  TestHandler handler([&](api::Request&) {
    started.open();
    release.wait();
    api::Response response;
    response.body = "finished";
    return response;
  });
  RunningServer server(test_options(GetParam()), handler);
  Client busy(server.port());
  Client idle(server.port());
  ASSERT_TRUE(busy.send(get("/slow")));
  ASSERT_TRUE(started.wait());
  server.server().stop();
  EXPECT_TRUE(idle.closed_by_server());
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(server.finished());  // waiting for /slow
  release.open();
  auto reply = busy.read_response();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "finished");
  EXPECT_FALSE(reply->keep_alive);  // Connection: close during shutdown
  EXPECT_TRUE(busy.closed_by_server());
  EXPECT_TRUE(server.finished(std::chrono::duration_cast<std::chrono::milliseconds>(kTestTimeout)));
  Client late(server.port());
  EXPECT_FALSE(late.connected());
}

TEST(HttpLifecycleTest, StopClosesIdleKeepAliveConnectionsAtOnce) {
  TestHandler handler;
  ServerOptions options = test_options();
  options.idle_timeout = 60s;
  RunningServer server(options, handler);
  Client client(server.port());
  ASSERT_TRUE(client.send(get("/")));
  ASSERT_TRUE(client.read_response());
  server.server().stop();
  // Well before the 60 s idle timeout (the client gives up after kTestTimeout).
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_TRUE(server.finished(std::chrono::duration_cast<std::chrono::milliseconds>(kTestTimeout)));
}

TEST(HttpLifecycleTest, GracePeriodEndsAStuckBodyRead) {
  std::promise<Errc> seen;
  Latch started;
  TestHandler handler([&](api::Request& r) {
    started.open();
    std::byte buf[100];
    Result<size_t> n = r.body->read(buf);
    seen.set_value(n ? Errc::kOk : n.status().code());
    return api::Response{};
  });
  ServerOptions options = test_options();
  options.shutdown_grace = 1s;
  RunningServer server(options, handler);
  Client client(server.port());
  // With 100-continue nothing is read ahead: the handler starts and waits for the body.
  ASSERT_TRUE(client.send(
      "PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n"));
  ASSERT_TRUE(started.wait());
  server.server().stop();
  auto f = seen.get_future();
  ASSERT_EQ(f.wait_for(kTestTimeout), std::future_status::ready);
  EXPECT_EQ(f.get(), Errc::kUnavailable);
  EXPECT_TRUE(server.finished(std::chrono::duration_cast<std::chrono::milliseconds>(kTestTimeout)));
  auto done = handler.completed();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done[0].record.aborted);
}

TEST(HttpLifecycleTest, StopBeforeRunReturnsPromptly) {
  TestHandler handler;
  HttpServer server(test_options(), handler);
  ASSERT_TRUE(server.listen().is_ok());
  server.stop();
  auto done = std::async(std::launch::async, [&] { server.run(); });
  ASSERT_EQ(done.wait_for(kTestTimeout), std::future_status::ready);
}

TEST(HttpLifecycleTest, ManyConnectionsAtOnce) {
  TestHandler handler;
  RunningServer server(test_options(), handler);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Client client(server.port());
      for (int i = 0; i < 50; ++i) {
        std::string target = "/" + std::to_string(t) + "/" + std::to_string(i);
        if (!client.send(get(target))) return;
        auto reply = client.read_response();
        if (!reply || reply->body != "GET " + target) return;
      }
      ok.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(handler.wait_completed(400).size(), 400u);
}

}  // namespace
}  // namespace coffer::http
