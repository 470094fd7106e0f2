#pragma once
// Test servers for the S3 layer: the real S3-compatible server that the integration tests
// use (tests/s3/s3-server.js, s3rver under node), started on a free loopback port, and a
// scripted HTTP server that answers each request with the next canned response.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../temp_dir.h"

namespace coffer::s3::testing {

inline std::string source_dir() { return COFFER_SOURCE_DIR; }

// s3rver on 127.0.0.1 with one bucket, "coffer-test"; key S3RVER, secret S3RVER.
class S3TestServer {
 public:
  static bool available() {
    return std::filesystem::exists(source_dir() + "/tests/s3/node_modules/@20minutes/s3rver") &&
           std::system("node --version > /dev/null 2>&1") == 0;
  }

  S3TestServer() = default;
  ~S3TestServer() { stop(); }
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  // Starts it (again, on the same port once it has one). Returns false on failure.
  bool start() {
    int out[2];
    if (::pipe(out) != 0) return false;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::string script = source_dir() + "/tests/s3/s3-server.js";
      std::string port = std::to_string(port_);
      ::execlp("node", "node", "--openssl-legacy-provider", script.c_str(), "--directory",
               directory_.path().c_str(), "--port", port.c_str(), "--bucket", "coffer-test",
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(out[0]);
    if (!line.starts_with("listening ")) return false;
    port_ = std::stoi(line.substr(10));
    return true;
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& directory() const { return directory_.path(); }
  // The file that holds `key` in bucket coffer-test.
  std::string file_of(const std::string& key) const {
    return directory_.path() + "/coffer-test/" + key + "._S3rver_object";
  }

 private:
  ::coffer::testing::TempDir directory_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Answers the requests it receives, in order, with `responses` (whole HTTP responses); once
// they run out, with the last one. Records each request's head.
class ScriptedHttpServer {
 public:
  explicit ScriptedHttpServer(std::vector<std::string> responses)
      : responses_(responses.begin(), responses.end()) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 16) != 0) {
      std::abort();
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedHttpServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  size_t requests() {
    std::lock_guard lock(mu_);
    return heads_.size();
  }
  std::string head(size_t i) {
    std::lock_guard lock(mu_);
    return heads_.at(i);
  }

  static std::string response(int status, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nContent-Type: application/xml\r\n\r\n" + body;
  }
  static std::string error(int status, const std::string& code) {
    return response(status, "<?xml version=\"1.0\"?><Error><Code>" + code +
                                "</Code><Message>m</Message></Error>");
  }

 private:
  void serve() {
    while (!stopping_) {
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string buffer;
      char chunk[65536];
      for (;;) {
        size_t end = buffer.find("\r\n\r\n");
        if (end != std::string::npos) {
          std::string head = buffer.substr(0, end);
          size_t length = 0;
          if (size_t at = head.find("Content-Length: "); at != std::string::npos) {
            length = std::stoul(head.substr(at + 16));
          }
          if (buffer.size() < end + 4 + length) {
            ssize_t n = ::read(conn, chunk, sizeof(chunk));
            if (n <= 0) break;
            buffer.append(chunk, n);
            continue;
          }
          buffer.erase(0, end + 4 + length);
          std::string reply;
          {
            std::lock_guard lock(mu_);
            heads_.push_back(head);
            reply = responses_.front();
            if (responses_.size() > 1) responses_.pop_front();
          }
          if (::write(conn, reply.data(), reply.size()) < 0) break;
          continue;
        }
        ssize_t n = ::read(conn, chunk, sizeof(chunk));
        if (n <= 0) break;
        buffer.append(chunk, n);
      }
      ::close(conn);
    }
  }

  int fd_;
  int port_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::deque<std::string> responses_;  // GUARDED_BY(mu_)
  std::vector<std::string> heads_;     // GUARDED_BY(mu_)
};

}  // namespace coffer::s3::testing
