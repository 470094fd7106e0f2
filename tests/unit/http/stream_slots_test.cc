#include "http/stream_slots.h"

#include <gtest/gtest.h>

#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace coffer::http {
namespace {

TEST(StreamSlots, AQuarterOfTheWorkersStaysFree) {
  EXPECT_EQ(StreamSlots::for_workers(64), 48u);
  EXPECT_EQ(StreamSlots::for_workers(4), 3u);
  EXPECT_EQ(StreamSlots::for_workers(2), 1u);
  EXPECT_EQ(StreamSlots::for_workers(1), 1u);  // nothing to keep free
}

TEST(StreamSlots, WaitersGetReleasedSlotsInOrder) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);  // poll() must not find the context stopped
  StreamSlots slots(1);
  ASSERT_TRUE(slots.try_acquire());
  EXPECT_FALSE(slots.try_acquire());
  std::vector<int> granted;
  for (int i = 0; i < 3; ++i) {
    slots.async_acquire(boost::asio::bind_executor(io, [&granted, i] { granted.push_back(i); }));
  }
  io.poll();
  EXPECT_TRUE(granted.empty());
  slots.release();  // to waiter 0
  io.poll();
  EXPECT_EQ(granted, std::vector<int>{0});
  slots.release();  // to waiter 1
  slots.release();  // to waiter 2
  io.poll();
  EXPECT_EQ(granted, (std::vector<int>{0, 1, 2}));
  slots.release();  // free again
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_FALSE(slots.try_acquire());
}

}  // namespace
}  // namespace coffer::http
