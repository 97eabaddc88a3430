// The one way to include Asio and Beast. We build on Debian's Boost 1.81:
// 1.74's Asio frees strand executors early when they are copied across
// threads (seen under ASan). <utility> first keeps older Asio headers happy.
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace candor {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// Runs `start(callback)` and suspends the coroutine until `callback(value)` is
// called, from any thread; resumes on the coroutine's own executor.
//
// GCC 12 destroys the captures of a lambda twice when the lambda is a
// temporary inside a co_await expression (heap corruption). So `start` is a
// named lambda passed by reference, and the initiation below is named too:
// never write `co_await F([...](...) {...})`.
template <typename T, typename Start>
asio::awaitable<T> AwaitCallback(Start& start) {
  auto executor = co_await asio::this_coro::executor;
  auto initiation = [executor, &start](auto handler) {
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    start([shared, executor](T value) {
      asio::post(executor, [shared, value = std::move(value)]() mutable {
        (*shared)(std::move(value));
      });
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(T)>(
      initiation, asio::use_awaitable);
}

}  // namespace candor
