// ChangeSignal: a waiter is woken exactly once by the next change, never misses one that came
// between looking and subscribing, and a cancelled waiter is not woken.

#include "core/change_signal.h"

#include <gtest/gtest.h>

namespace coffer {
namespace {

TEST(ChangeSignalTest, WakesEachSubscriberOnceAtTheNextNotify) {
  ChangeSignal signal;
  int woken = 0;
  signal.subscribe(signal.version(), [&] { ++woken; });
  EXPECT_EQ(woken, 0);
  signal.notify();
  EXPECT_EQ(woken, 1);
  signal.notify();  // already woken: a subscription is for one change
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(signal.version(), 2u);
}

TEST(ChangeSignalTest, AChangeBetweenLookingAndSubscribingWakesAtOnce) {
  ChangeSignal signal;
  const uint64_t seen = signal.version();
  signal.notify();
  int woken = 0;
  signal.subscribe(seen, [&] { ++woken; });
  EXPECT_EQ(woken, 1);
  signal.notify();
  EXPECT_EQ(woken, 1);
}

TEST(ChangeSignalTest, ACancelledSubscriberIsNotWoken) {
  ChangeSignal signal;
  int kept = 0;
  int cancelled = 0;
  signal.subscribe(signal.version(), [&] { ++kept; });
  const ChangeSignal::Ticket ticket = signal.subscribe(signal.version(), [&] { ++cancelled; });
  signal.cancel(ticket);
  signal.notify();
  EXPECT_EQ(kept, 1);
  EXPECT_EQ(cancelled, 0);
  signal.cancel(ticket);  // cancelling twice, or after the wake, is harmless
}

TEST(ChangeSignalTest, AWakeMaySubscribeAgain) {
  ChangeSignal signal;
  int woken = 0;
  std::function<void()> again = [&] {
    ++woken;
    signal.subscribe(signal.version(), again);
  };
  signal.subscribe(signal.version(), again);
  signal.notify();
  signal.notify();
  EXPECT_EQ(woken, 2);
}

}  // namespace
}  // namespace coffer
