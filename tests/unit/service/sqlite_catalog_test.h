#pragma once
// The fixture of service tests that run against the real metadata catalog: a fresh SQLite
// catalog in a temporary directory per test. Fixtures deriving from it that override SetUp()
// call SqliteCatalogTest::SetUp() first.

#include <gtest/gtest.h>

#include <memory>

#include "../store/store_test_util.h"
#include "meta/catalog.h"

namespace coffer::service::testing {

class SqliteCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = meta::open_sqlite_catalog(dir_.path() + "/meta.db");
    ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
    catalog_ = std::move(*catalog);
  }

  store::testing::TempDir dir_;
  std::unique_ptr<meta::Catalog> catalog_;
};

}  // namespace coffer::service::testing
