// The one way to include Asio and Beast (Debian's Boost 1.81). <utility>
// comes first because Boost 1.74's awaitable.hpp needs it and does not include it.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <utility>

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
      asio::post(executor,
                 [shared, value = std::move(value)]() mutable { (*shared)(std::move(value)); });
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(T)>(
      initiation, asio::use_awaitable);
}

}  // namespace candor
