// Unit tests of the server's pure parts; the HTTP behaviour is covered by
// tests/integration against the real binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string_view>

#include "server/auth.h"
#include "server/internal/api.h"
#include "server/internal/errors.h"
#include "server/internal/http_types.h"
#include "server/internal/hub.h"
#include "server/internal/metrics.h"
#include "server/internal/session_streams.h"

namespace candor {
namespace {

TEST(TokenTest, TokensAreLongRandomAndPrefixed) {
  ASSERT_TRUE(InitCrypto().ok());
  const std::string a = NewToken("ct");
  const std::string b = NewToken("ct");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("ct_", 0), 0u);
  EXPECT_EQ(a.size(), 3u + 43u);  // 256 bits in unpadded base64url
}

TEST(TokenTest, OnlyTheRightTokenMatchesItsHash) {
  ASSERT_TRUE(InitCrypto().ok());
  const std::string token = NewToken("at");
  const std::string hash = HashToken(token);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find(token), std::string::npos);
  EXPECT_TRUE(TokenMatchesHash(token, hash));
  EXPECT_FALSE(TokenMatchesHash(NewToken("at"), hash));
  EXPECT_FALSE(TokenMatchesHash(token, hash.substr(1)));
}

TEST(TokenTest, KindIsToldFromTheFormAlone) {
  ASSERT_TRUE(InitCrypto().ok());
  EXPECT_EQ(KindOfToken(NewToken("ct")), TokenKind::kCustomer);
  EXPECT_EQ(KindOfToken(NewToken("at")), TokenKind::kAgent);
  EXPECT_EQ(KindOfToken(NewToken("dt")), TokenKind::kDevice);
  const std::vector<std::string> malformed = {"",
                                              "garbage",
                                              "ct_forged",
                                              "xx_" + std::string(43, 'a'),
                                              "ct_" + std::string(42, 'a') + "!",
                                              "ct_" + std::string(44, 'a')};
  for (const std::string& bad : malformed) {
    EXPECT_EQ(KindOfToken(bad), TokenKind::kMalformed) << bad;
  }
}

TEST(SessionStreamsTest, EndingASessionClosesItsStreamsOnly) {
  SessionStreams streams;
  std::vector<std::string> closed;
  const uint64_t a1 = streams.Add("s1", 1, [&] { closed.push_back("a1"); });
  streams.Add("s2", 1, [&] { closed.push_back("a2"); });
  streams.Add("s3", 2, [&] { closed.push_back("b"); });
  streams.EndSession("s1");
  EXPECT_EQ(closed, std::vector<std::string>{"a1"});
  streams.Remove(a1);
  closed.clear();
  streams.EndAgent(1);
  EXPECT_EQ(closed, std::vector<std::string>{"a2"}) << "a removed stream is not closed again";
  closed.clear();
  streams.EndAgent(3);
  EXPECT_TRUE(closed.empty());
}

TEST(PasswordTest, Argon2idHashVerifiesOnlyTheSamePassword) {
  ASSERT_TRUE(InitCrypto().ok());
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapler"));
}

TEST(RateLimiterTest, AllowsABurstThenRefillsOverTime) {
  FakeClock clock;
  RateLimiter limiter(/*per_minute=*/6, /*burst=*/3, clock);
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_FALSE(limiter.Allow("1.2.3.4"));
  EXPECT_TRUE(limiter.Allow("5.6.7.8")) << "other keys are not affected";
  EXPECT_EQ(limiter.RetryAfterSeconds("1.2.3.4"), 10);
  clock.Advance(std::chrono::seconds(10));
  EXPECT_TRUE(limiter.Allow("1.2.3.4"));
  EXPECT_FALSE(limiter.Allow("1.2.3.4"));
}

TEST(RateLimiterTest, BoundedMemoryUnderManyKeys) {
  FakeClock clock;
  RateLimiter limiter(60, 2, clock, /*max_keys=*/10);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.Allow("k" + std::to_string(i)));
  EXPECT_FALSE(limiter.Allow("new")) << "no room while every bucket is in use";
  clock.Advance(std::chrono::minutes(1));
  EXPECT_TRUE(limiter.Allow("new")) << "refilled buckets are forgotten";
}

TEST(HttpTypesTest, QueryParametersAreDecoded) {
  HttpRequest request;
  request.query = "after=12&access_token=ct_a%2Bb&q=hallo+welt";
  EXPECT_EQ(request.QueryParam("after"), "12");
  EXPECT_EQ(request.QueryParam("access_token"), "ct_a+b");
  EXPECT_EQ(request.QueryParam("q"), "hallo welt");
  EXPECT_EQ(request.QueryParam("missing"), "");
}

TEST(HttpTypesTest, BearerTokenComesFromHeaderOrAllowedQuery) {
  HttpRequest request;
  request.query = "access_token=ct_q";
  EXPECT_EQ(request.BearerToken(false), "");
  EXPECT_EQ(request.BearerToken(true), "ct_q");
  request.authorization = "Bearer ct_h";
  EXPECT_EQ(request.BearerToken(true), "ct_h");
}

TEST(HttpTypesTest, BearerSchemeIsCaseInsensitive) {
  HttpRequest request;
  for (const char* header : {"bearer at_x", "BEARER at_x", "Bearer   at_x", "bEaReR at_x "}) {
    request.authorization = header;
    EXPECT_EQ(request.BearerToken(false), "at_x") << header;
  }
  request.authorization = "Basic YTpi";
  EXPECT_EQ(request.BearerToken(false), "");
  request.authorization = "Bearerat_x";
  EXPECT_EQ(request.BearerToken(false), "");
}

TEST(HttpTypesTest, OnlyApplicationJsonIsAJsonBody) {
  HttpRequest request;
  for (const char* type : {"application/json", "application/json; charset=utf-8",
                           "Application/JSON", " application/json ;charset=UTF-8"}) {
    request.content_type = type;
    EXPECT_TRUE(request.HasJsonBody()) << type;
  }
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/jsonx"}) {
    request.content_type = type;
    EXPECT_FALSE(request.HasJsonBody()) << type;
  }
}

TEST(HttpTypesTest, StringsWithNulAreRefused) {
  HttpResponse error;
  auto object = ParseJsonObject(R"({"text": "a\u0000b", "reason": "ok"})", false, error);
  ASSERT_TRUE(object);
  EXPECT_FALSE(RequireString(*object, "text", 100, error));
  EXPECT_EQ(error.status, 400);
  EXPECT_NE(error.body.find("NUL"), std::string::npos);
  EXPECT_FALSE(OptionalString(*object, "text", 100, "", error));
  EXPECT_TRUE(RequireString(*object, "reason", 100, error));
}

TEST(HttpTypesTest, BodyErrorsNameTheirReasonAndField) {
  HttpResponse error;
  EXPECT_FALSE(ParseJsonObject("{\"text\": \"\xFF\"}", false, error));
  EXPECT_NE(error.body.find("invalid_utf8"), std::string::npos);
  EXPECT_FALSE(ParseJsonObject("{\"text\": ", false, error));
  EXPECT_NE(error.body.find("invalid_json"), std::string::npos);
  EXPECT_FALSE(ParseJsonObject("[1]", false, error));
  EXPECT_NE(error.body.find("not_an_object"), std::string::npos);
  auto object = ParseJsonObject("{\"text\": 5}", false, error);
  ASSERT_TRUE(object);
  EXPECT_FALSE(RequireString(*object, "text", 100, error));
  EXPECT_EQ(error.status, 400);
  EXPECT_NE(error.body.find("\"field\":\"text\""), std::string::npos);
  EXPECT_NE(error.body.find("wrong_type"), std::string::npos);
  EXPECT_FALSE(RequireString(*object, "name", 100, error));
  EXPECT_NE(error.body.find("missing_field"), std::string::npos);
}

TEST(HttpTypesTest, ServerErrorsDoNotLeakInternals) {
  auto response = ErrorFromStatus(Status::IoError("sqlite: disk I/O error at /secret/path"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("/secret/path"), std::string::npos);
  EXPECT_EQ(ErrorFromStatus(Status::NotFound("no such conversation")).status, 404);
  EXPECT_EQ(ErrorFromStatus(Status::ResourceExhausted("slow down")).status, 429);
}

TEST(ErrorTableTest, EachMeaningHasOneCodeAndEveryCodeIsInTheOpenApiDocument) {
  const nlohmann::json document = BuildOpenApi({}, "test");
  const auto& schema = document["components"]["schemas"]["Error"];
  const auto& codes = schema["properties"]["error"]["properties"]["code"]["enum"];
  std::set<std::string_view> seen;
  for (const auto& row : ApiErrorTable()) {
    EXPECT_TRUE(seen.insert(row.code).second) << row.code << " stands for two meanings";
    EXPECT_NE(std::find(codes.begin(), codes.end(), row.code), codes.end()) << row.code;
    EXPECT_FALSE(row.meaning.empty()) << row.code;
  }
  EXPECT_EQ(schema["x-candor-errors"].size(), ApiErrorTable().size());
}

TEST(ErrorTableTest, DomainStatusesMapToTheTablesCodes) {
  const auto bad = ErrorFromStatus(Status::InvalidArgument("'lang' must be de or en", "lang"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"code\":\"invalid_value\""), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("\"field\":\"lang\""), std::string::npos) << bad.body;
  const auto denied = ErrorFromStatus(Status::PermissionDenied("only admins"));
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.body.find("\"code\":\"forbidden\""), std::string::npos) << denied.body;
  const auto failed = ErrorFromStatus(Status::IoError("disk full"));
  EXPECT_NE(failed.body.find("\"code\":\"internal\""), std::string::npos) << failed.body;
}

TEST(MetricsTest, RendersRequestCountsAndHistogramsPerRoute) {
  Metrics metrics;
  metrics.DefineRoutes({"/healthz", "/api/v1/conversations"});
  metrics.ObserveRequest(1, "POST", 201, 0.002);
  metrics.ObserveRequest(1, "POST", 400, 0.0001);
  metrics.ObserveRequest(7, "GET", 404, 0.0001);  // out of range: unmatched
  metrics.EventAppended();
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("candor_http_requests_total{route=\"/api/v1/conversations\",method=\"POST\","
                      "status=\"201\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("route=\"unmatched\",method=\"GET\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("candor_http_request_duration_seconds_bucket{route=\"/api/v1/"
                      "conversations\",le=\"0.0025\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("candor_events_appended_total 1"), std::string::npos);
}

class CollectingSubscriber final : public StreamSubscriber {
 public:
  void Deliver(std::shared_ptr<const SseFeed> feed, FanoutRound) override {
    ++deliveries;
    std::vector<std::shared_ptr<const SseFrame>> frames;
    feed->FramesAfter(seqs.empty() ? 0 : seqs.back(), frames);
    for (const auto& frame : frames) seqs.push_back(frame->seq);
  }
  int deliveries = 0;
  std::vector<int64_t> seqs;
};

Event MessageAt(int64_t seq) {
  return Event{"c_1", seq, seq - 1, FromUnixMillis(seq), MessageEvent{Author::kCustomer, "hi", ""},
               ""};
}

TEST(HubTest, AFewStreamsGetEachEventAtOnce) {
  std::vector<std::function<void()>> tasks;
  Hub hub([&](std::function<void()> task) { tasks.push_back(std::move(task)); });
  auto customer = std::make_shared<CollectingSubscriber>();
  auto subscription = hub.Subscribe("c_1", customer);
  hub.Publish(MessageAt(1));
  hub.Publish(MessageAt(2));
  EXPECT_TRUE(tasks.empty()) << "no thread hop for a handful of streams";
  EXPECT_EQ(customer->seqs, (std::vector<int64_t>{1, 2}));
  hub.Publish(Event{"c_other", 1, 2, FromUnixMillis(3), MessageEvent{}, ""});
  EXPECT_EQ(customer->seqs.size(), 2u) << "other conversations are not delivered";
}

TEST(HubTest, ManyStreamsGetABatchOfEventsInOneHandOverInOrder) {
  std::vector<std::function<void()>> tasks;
  Hub hub([&](std::function<void()> task) { tasks.push_back(std::move(task)); });
  std::vector<std::shared_ptr<CollectingSubscriber>> streams;
  std::vector<std::unique_ptr<Hub::Subscription>> subscriptions;
  for (int i = 0; i < 20; ++i) {
    streams.push_back(std::make_shared<CollectingSubscriber>());
    subscriptions.push_back(hub.Subscribe("c_1", streams.back()));
  }
  for (int64_t seq = 1; seq <= 4; ++seq) hub.Publish(MessageAt(seq));
  ASSERT_EQ(tasks.size(), 1u) << "one fan-out scheduled for the whole batch";
  tasks.front()();
  for (const auto& stream : streams) {
    EXPECT_EQ(stream->deliveries, 1);
    EXPECT_EQ(stream->seqs, (std::vector<int64_t>{1, 2, 3, 4}));
  }
  hub.Publish(MessageAt(5));
  ASSERT_EQ(tasks.size(), 2u) << "the next batch schedules its own fan-out";
  subscriptions.resize(10);  // half the streams go away before it runs
  tasks.back()();
  EXPECT_EQ(streams[0]->seqs.back(), 5);
  EXPECT_EQ(streams[19]->seqs.back(), 4) << "a closed stream gets nothing more";
}

// A stream whose hand-overs run later, like a real one's on its own strand.
class DeferredSubscriber final : public StreamSubscriber {
 public:
  explicit DeferredSubscriber(std::vector<std::function<void()>>& handovers)
      : handovers_(handovers) {}
  void Deliver(std::shared_ptr<const SseFeed> feed, FanoutRound round) override {
    handovers_.push_back([this, feed, round] {
      std::vector<std::shared_ptr<const SseFrame>> frames;
      feed->FramesAfter(seqs.empty() ? 0 : seqs.back(), frames);
      if (!frames.empty()) ++writes;
      for (const auto& frame : frames) seqs.push_back(frame->seq);
    });
  }
  int writes = 0;
  std::vector<int64_t> seqs;

 private:
  std::vector<std::function<void()>>& handovers_;
};

TEST(HubTest, WhatIsCommittedDuringAFanOutWaitsUntilEveryStreamHasTheFirst) {
  std::vector<std::function<void()>> tasks, handovers;
  Hub hub([&](std::function<void()> task) { tasks.push_back(std::move(task)); });
  std::vector<std::shared_ptr<DeferredSubscriber>> streams;
  std::vector<std::unique_ptr<Hub::Subscription>> subscriptions;
  for (int i = 0; i < 20; ++i) {
    streams.push_back(std::make_shared<DeferredSubscriber>(handovers));
    subscriptions.push_back(hub.Subscribe("c_1", streams.back()));
  }
  hub.Publish(MessageAt(1));
  ASSERT_EQ(tasks.size(), 1u);
  tasks[0]();
  ASSERT_EQ(handovers.size(), 20u);
  auto run_handovers = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) std::exchange(handovers[i], nullptr)();
  };
  run_handovers(0, 10);  // half the streams have the message
  std::vector<std::shared_ptr<DeferredSubscriber>> early, late;
  for (const auto& stream : streams) (stream->seqs.empty() ? late : early).push_back(stream);
  ASSERT_EQ(early.size(), 10u);
  hub.Publish(MessageAt(2));  // the answer is committed meanwhile
  EXPECT_EQ(tasks.size(), 1u) << "no second fan-out while the first is still running";
  run_handovers(10, 20);
  for (const auto& stream : early) EXPECT_EQ(stream->seqs, (std::vector<int64_t>{1}));
  for (const auto& stream : late) {
    EXPECT_EQ(stream->seqs, (std::vector<int64_t>{1, 2}))
        << "a stream reached late gets both in its one write";
  }
  ASSERT_EQ(tasks.size(), 2u) << "the fan-out is over: what waited goes out now";
  tasks[1]();
  ASSERT_EQ(handovers.size(), 40u);
  run_handovers(20, 40);
  for (const auto& stream : early) EXPECT_EQ(stream->writes, 2);
  for (const auto& stream : late) EXPECT_EQ(stream->writes, 1) << "nothing is sent twice";
  for (const auto& stream : streams) EXPECT_EQ(stream->seqs, (std::vector<int64_t>{1, 2}));
  hub.Publish(MessageAt(3));
  EXPECT_EQ(tasks.size(), 3u) << "a quiet conversation fans out at once again";
}

TEST(HubTest, AFanOutLeftUnrunAfterTheHubIsGoneIsHarmless) {
  std::vector<std::function<void()>> tasks, handovers;
  auto stream = std::make_shared<DeferredSubscriber>(handovers);
  std::vector<std::shared_ptr<DeferredSubscriber>> others;
  {
    Hub hub([&](std::function<void()> task) { tasks.push_back(std::move(task)); });
    std::vector<std::unique_ptr<Hub::Subscription>> subscriptions;
    for (int i = 0; i < 10; ++i) {
      others.push_back(std::make_shared<DeferredSubscriber>(handovers));
      subscriptions.push_back(hub.Subscribe("c_1", others.back()));
    }
    hub.Publish(MessageAt(1));
    tasks[0]();
  }
  EXPECT_EQ(handovers.size(), 10u);
  handovers.clear();  // dropped unrun, as a stopped server drops its handlers
  EXPECT_EQ(others[0]->seqs.size(), 0u);
}

}  // namespace
}  // namespace candor
