// A small local server that speaks the chat-completions API the language-model
// client uses (no model can be downloaded here): each request gets the next
// scripted reply, streamed, slow or failing, and every request body is kept so
// tests can check what left candor. Header-only; for tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace candor::answer::testing {

// One scripted reply per request, in order.
struct Script {
  int status = 200;
  std::vector<std::string> pieces;     // streamed as chat-completion chunks
  std::chrono::milliseconds delay{0};  // before the first byte
};

class StubModelServer {
 public:
  StubModelServer() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(listener_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~StubModelServer() {
    stopping_ = true;
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
  }
  void Add(Script script) {
    std::lock_guard lock(mutex_);
    scripts_.push_back(std::move(script));
  }
  std::string Endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1/chat/completions";
  }
  std::vector<std::string> Bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      const int client = accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      std::string request;
      char buffer[4096];
      size_t header_end = std::string::npos;
      size_t content_length = 0;
      while (true) {
        const ssize_t n = read(client, buffer, sizeof(buffer));
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
        if (header_end == std::string::npos) {
          header_end = request.find("\r\n\r\n");
          if (header_end != std::string::npos) {
            const size_t at = request.find("Content-Length: ");
            if (at != std::string::npos) content_length = std::stoul(request.substr(at + 16));
          }
        }
        if (header_end != std::string::npos && request.size() >= header_end + 4 + content_length)
          break;
      }
      Script script;
      {
        std::lock_guard lock(mutex_);
        if (header_end != std::string::npos) bodies_.push_back(request.substr(header_end + 4));
        if (!scripts_.empty()) {
          script = scripts_.front();
          scripts_.pop_front();
        }
      }
      std::this_thread::sleep_for(script.delay);
      std::string response;
      if (script.status != 200) {
        response = "HTTP/1.1 " + std::to_string(script.status) +
                   " Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      } else {
        response =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
        for (const auto& piece : script.pieces) {
          response +=
              "data: " + nlohmann::json{{"choices", {{{"delta", {{"content", piece}}}}}}}.dump() +
              "\n\n";
        }
        response += "data: [DONE]\n\n";
      }
      (void)!write(client, response.data(), response.size());
      close(client);
    }
  }

  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::deque<Script> scripts_;
  std::vector<std::string> bodies_;
};

}  // namespace candor::answer::testing
