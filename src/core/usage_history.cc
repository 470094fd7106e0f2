#include "core/usage_history.h"

#include <chrono>
#include <cstdio>

namespace coffer {

Day day_of(Micros t) {
  // Floor division: an instant before the epoch belongs to the day before.
  constexpr Micros kDay = 86'400'000'000LL;
  return t >= 0 ? t / kDay : -((-t + kDay - 1) / kDay);
}

std::string day_name(Day day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace coffer
