// The one way to include Asio and Beast. Boost 1.74's awaitable.hpp uses
// std::exchange without including <utility>; with GCC 12 and C++20 it must
// come first.
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
template <typename T, typename Start>
asio::awaitable<T> AwaitCallback(Start start) {
  auto executor = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(T)>(
      [executor, start = std::move(start)](auto handler) mutable {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([shared, executor](T value) mutable {
          asio::post(executor, [shared, value = std::move(value)]() mutable {
            (*shared)(std::move(value));
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace candor
