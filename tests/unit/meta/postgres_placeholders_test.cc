// The parts of the PostgreSQL backend that need no server: placeholder rewriting and URL
// redaction. Behaviour against a real server: postgres_database_test.cc.

#include <gtest/gtest.h>

#include "meta/postgres_database.h"

namespace coffer::meta {
namespace {

std::string rewrite(std::string_view sql, int expected_count) {
  int count = -1;
  std::string out = rewrite_placeholders(sql, count);
  EXPECT_EQ(count, expected_count) << sql;
  return out;
}

TEST(PostgresPlaceholders, NumbersEachPlaceholderInOrder) {
  EXPECT_EQ(rewrite("SELECT 1", 0), "SELECT 1");
  EXPECT_EQ(rewrite("INSERT INTO t (a, b, c) VALUES (?, ?,?)", 3),
            "INSERT INTO t (a, b, c) VALUES ($1, $2,$3)");
  EXPECT_EQ(rewrite("SELECT ? LIMIT ?", 2), "SELECT $1 LIMIT $2");
}

TEST(PostgresPlaceholders, LeavesQuotedTextAndCommentsAlone) {
  EXPECT_EQ(rewrite("SELECT '?', 'it''s ?', ? FROM t", 1), "SELECT '?', 'it''s ?', $1 FROM t");
  EXPECT_EQ(rewrite("SELECT \"odd?name\", \"a\"\"?\" FROM t WHERE x = ?", 1),
            "SELECT \"odd?name\", \"a\"\"?\" FROM t WHERE x = $1");
  EXPECT_EQ(rewrite("SELECT E'\\'?' , ?", 1), "SELECT E'\\'?' , $1");
  EXPECT_EQ(rewrite("SELECT 1 -- why?\n, ?", 1), "SELECT 1 -- why?\n, $1");
  EXPECT_EQ(rewrite("SELECT /* a /* nested ? */ still ? */ ?", 1),
            "SELECT /* a /* nested ? */ still ? */ $1");
  EXPECT_EQ(rewrite("SELECT $$?$$, $tag$ ? $$ ? $tag$, ?", 1),
            "SELECT $$?$$, $tag$ ? $$ ? $tag$, $1");
}

TEST(PostgresPlaceholders, KeepsPositionalParametersAndIdentifiersWithDollars) {
  // `$1` is not a dollar quote; `a$b` is an identifier.
  EXPECT_EQ(rewrite("SELECT a$b, ? FROM t", 1), "SELECT a$b, $1 FROM t");
}

TEST(PostgresPlaceholders, AnUnterminatedLiteralSwallowsTheRest) {
  // The server rejects such SQL; the rewriter must only not invent placeholders inside it.
  EXPECT_EQ(rewrite("SELECT 'abc ?", 0), "SELECT 'abc ?");
}

TEST(PostgresUrl, RedactsThePassword) {
  EXPECT_EQ(redact_database_url("postgres://coffer:s3cret@db.example:5432/coffer"),
            "postgres://coffer:***@db.example:5432/coffer");
  EXPECT_EQ(redact_database_url("postgresql://coffer:p%40ss@db/coffer?sslmode=require"),
            "postgresql://coffer:***@db/coffer?sslmode=require");
  EXPECT_EQ(redact_database_url("postgres://coffer@db/coffer?password=s3cret&sslmode=require"),
            "postgres://coffer@db/coffer?password=***&sslmode=require");
  EXPECT_EQ(redact_database_url("host=db user=coffer password=s3cret dbname=coffer"),
            "host=db user=coffer password=*** dbname=coffer");
  EXPECT_EQ(redact_database_url("postgres://coffer@db/coffer"), "postgres://coffer@db/coffer");
  const std::string malformed = redact_database_url("postgres://coffer:s3cret@db/coffer?bogus=1");
  EXPECT_EQ(malformed.find("s3cret"), std::string::npos) << malformed;
}

TEST(PostgresUrl, AMalformedUrlIsRefusedWithoutEchoingIt) {
  auto db = open_postgres_database("postgres://coffer:s3cret@db/coffer?bogus=1");
  ASSERT_FALSE(db.is_ok());
  EXPECT_EQ(db.status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(db.status().message().find("s3cret"), std::string::npos);
}

TEST(PostgresUrl, AnUnreachableServerIsUnavailableAndTheErrorHidesThePassword) {
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  auto db = open_postgres_database("postgres://coffer:s3cret@127.0.0.1:1/coffer");
  ASSERT_FALSE(db.is_ok());
  EXPECT_EQ(db.status().code(), Errc::kUnavailable) << db.status().to_string();
  EXPECT_EQ(db.status().message().find("s3cret"), std::string::npos) << db.status().to_string();
  EXPECT_NE(db.status().message().find("coffer:***@127.0.0.1:1"), std::string::npos)
      << db.status().to_string();
}

}  // namespace
}  // namespace coffer::meta
