#pragma once
// How many handlers may hold a worker thread while they wait for their client. A handler whose
// request body is not whole in memory when it starts (an upload streamed to the storage
// engine) reads the rest from the socket, blocking its worker whenever the client is slower
// than the handler. Such handlers take a slot first; there are fewer slots than workers, so
// slow clients can never occupy every worker, and the workers left over serve the requests
// that never wait for a client (no body, or a body read ahead on the I/O thread).
//
// A connection that finds no free slot waits for one without holding any thread (and without
// reading the client's body, which the client's TCP window then holds back).

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

namespace coffer::http {

class StreamSlots {
 public:
  // How many slots a pool of `workers` threads gets: all but a quarter of them (at least one
  // worker stays free when there are two or more).
  static unsigned for_workers(unsigned workers);

  // REQUIRES: capacity >= 1.
  explicit StreamSlots(unsigned capacity) : free_(capacity) {}
  StreamSlots(const StreamSlots&) = delete;
  StreamSlots& operator=(const StreamSlots&) = delete;

  // Thread-safe. Takes a slot if one is free.
  bool try_acquire();
  // Thread-safe. Completes (on the token's associated executor, never inline) once a slot is
  // the caller's. Waiters are served first come, first served.
  template <typename CompletionToken>
  auto async_acquire(CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void()>(
        [this](auto handler) {
          using Handler = decltype(handler);
          // std::function needs a copyable callable; the completion handler is move-only.
          auto held = std::make_shared<Handler>(std::move(handler));
          enqueue([held] { boost::asio::post(std::move(*held)); });
        },
        token);
  }
  // Thread-safe. Gives a slot back: to the first waiter, if any.
  void release();

  // Gives back a slot the caller holds when it goes out of scope (none if `slots` is null).
  class Release {
   public:
    explicit Release(StreamSlots* slots) : slots_(slots) {}
    ~Release() {
      if (slots_) slots_->release();
    }
    Release(const Release&) = delete;
    Release& operator=(const Release&) = delete;

   private:
    StreamSlots* slots_;
  };

 private:
  // Runs `grant` at once if a slot is free, else queues it.
  void enqueue(std::function<void()> grant);

  std::mutex mu_;
  unsigned free_;                              // GUARDED_BY(mu_)
  std::deque<std::function<void()>> waiters_;  // GUARDED_BY(mu_)
};

}  // namespace coffer::http
