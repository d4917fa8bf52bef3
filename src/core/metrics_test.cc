#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace snapq::metrics {
namespace {

TEST(Metrics, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(escapeLabelValue("plain value"), "plain value");
  EXPECT_EQ(escapeLabelValue(R"(a\b"c)"
                             "\nd"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(escapeLabelValue("tab\tstays"), "tab\tstays");
  EXPECT_EQ(escapeHelp("a \"quoted\" help\\\nline"), "a \"quoted\" help\\\\\\nline") << "HELP keeps quotes";
}

TEST(Metrics, ValuesAreIntegersOrShortestFloatsOrSpecials) {
  EXPECT_EQ(formatValue(0), "0");
  EXPECT_EQ(formatValue(-0.0), "0");
  EXPECT_EQ(formatValue(42), "42");
  EXPECT_EQ(formatValue(1764151200), "1764151200");
  EXPECT_EQ(formatValue(0.005), "0.005");
  EXPECT_EQ(formatValue(2.5), "2.5");
  EXPECT_EQ(formatValue(-1.25), "-1.25");
  EXPECT_EQ(formatValue(1e300), "1e+300");
  EXPECT_EQ(formatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(formatValue(std::nan("")), "NaN");
}

TEST(Metrics, NamesFollowTheExpositionFormat) {
  EXPECT_TRUE(validMetricName("snapq_jobs_finished_total"));
  EXPECT_TRUE(validMetricName("ns:metric_1"));
  EXPECT_FALSE(validMetricName("1abc"));
  EXPECT_FALSE(validMetricName("a-b"));
  EXPECT_FALSE(validMetricName(""));
  EXPECT_TRUE(validLabelName("service"));
  EXPECT_FALSE(validLabelName("a:b"));
  EXPECT_FALSE(validLabelName("__reserved"));
  EXPECT_FALSE(validLabelName("9"));
}

TEST(Metrics, FamiliesAreSortedByNameWithHelpAndTypeBeforeTheirSamples) {
  Exposition out;
  out.declare("snapq_zeta", "last", Type::gauge);
  out.declare("snapq_alpha", "first\nline", Type::counter);
  out.sample("snapq_zeta", "", {}, 1);
  out.sample("snapq_alpha", "", {{"service", "a\"b"}, {"code", "200"}}, 3);
  out.sample("snapq_unknown", "", {}, 1);  // never declared: dropped
  out.declare("snapq_alpha", "ignored", Type::gauge);
  EXPECT_EQ(out.text(),
            "# HELP snapq_alpha first\\nline\n"
            "# TYPE snapq_alpha counter\n"
            "snapq_alpha{service=\"a\\\"b\",code=\"200\"} 3\n"
            "# HELP snapq_zeta last\n"
            "# TYPE snapq_zeta gauge\n"
            "snapq_zeta 1\n");
  out.declare("bad-name", "x", Type::gauge);
  EXPECT_EQ(out.text().find("bad-name"), std::string::npos);
}

TEST(Metrics, CounterSeriesAreSortedByLabelValuesAndCount) {
  Counter c("snapq_requests_total", "Requests.", {"service", "code"});
  c.add({"sim", "200"}, 2);
  c.add({"b", "500"});
  c.series({"sim", "200"}).fetch_add(1);
  c.add({"sim", "429"});
  EXPECT_EQ(c.value({"sim", "200"}), 3u);
  EXPECT_EQ(c.value({"sim", "503"}), 0u);
  Exposition out;
  c.collect(out);
  EXPECT_EQ(out.text(),
            "# HELP snapq_requests_total Requests.\n"
            "# TYPE snapq_requests_total counter\n"
            "snapq_requests_total{service=\"b\",code=\"500\"} 1\n"
            "snapq_requests_total{service=\"sim\",code=\"200\"} 3\n"
            "snapq_requests_total{service=\"sim\",code=\"429\"} 1\n");
}

TEST(Metrics, ACallerWithTooFewLabelValuesStillGetsWellFormedLines) {
  Counter c("snapq_x_total", "X.", {"a", "b"});
  c.add({"only"});
  EXPECT_EQ(c.value({"only", ""}), 1u);
  Exposition out;
  c.collect(out);
  EXPECT_NE(out.text().find("snapq_x_total{a=\"only\",b=\"\"} 1\n"), std::string::npos) << out.text();
}

TEST(Metrics, HistogramBucketsAreCumulativeWithAnInclusiveUpperBound) {
  Histogram h("snapq_d_seconds", "Durations.", {"service"}, {1, 0.5, 2.5, 0.5});
  EXPECT_EQ(h.bounds(), (std::vector<double>{0.5, 1, 2.5})) << "sorted, without duplicates";
  for (double v : {0.1, 0.5, 0.7, 3.0, 1.0}) h.observe({"sim"}, v);
  h.observe({"sim"}, std::nan(""));  // ignored
  Histogram::Data d = h.data({"sim"});
  EXPECT_EQ(d.buckets, (std::vector<uint64_t>{2, 2, 0, 1}));
  EXPECT_EQ(d.count, 5u);
  EXPECT_DOUBLE_EQ(d.sum, 5.3);
  Exposition out;
  h.collect(out);
  EXPECT_EQ(out.text(),
            "# HELP snapq_d_seconds Durations.\n"
            "# TYPE snapq_d_seconds histogram\n"
            "snapq_d_seconds_bucket{service=\"sim\",le=\"0.5\"} 2\n"
            "snapq_d_seconds_bucket{service=\"sim\",le=\"1\"} 4\n"
            "snapq_d_seconds_bucket{service=\"sim\",le=\"2.5\"} 4\n"
            "snapq_d_seconds_bucket{service=\"sim\",le=\"+Inf\"} 5\n"
            "snapq_d_seconds_sum{service=\"sim\"} 5.3\n"
            "snapq_d_seconds_count{service=\"sim\"} 5\n");
}

TEST(Metrics, TheRegistryReturnsTheSameFamilyForTheSameName) {
  Registry r;
  Counter& a = r.counter("snapq_a_total", "A.", {"x"});
  Counter& again = r.counter("snapq_a_total", "A.", {"x"});
  EXPECT_EQ(&a, &again);
  Histogram& h = r.histogram("snapq_h_seconds", "H.", {}, {1});
  EXPECT_EQ(&h, &r.histogram("snapq_h_seconds", "H.", {}, {1}));
  a.add({"1"});
  h.observe({}, 0.5);
  Exposition out;
  r.collect(out);
  const std::string text = out.text();
  EXPECT_LT(text.find("# TYPE snapq_a_total counter"), text.find("# TYPE snapq_h_seconds histogram"));
  EXPECT_NE(text.find("snapq_h_seconds_bucket{le=\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("snapq_h_seconds_count 1\n"), std::string::npos) << text;
}

TEST(MetricsDeathTest, ReRegisteringANameWithOtherLabelsIsAProgrammingError) {
  Registry r;
  r.counter("snapq_a_total", "A.", {"x"});
  EXPECT_DEATH(r.counter("snapq_a_total", "A.", {"y"}), "other label names");
  EXPECT_DEATH(r.histogram("snapq_a_total", "A.", {"x"}, {1}), "already registered");
  EXPECT_DEATH(r.counter("snapq_b_total", "B.", {"le"}), "invalid label name");
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Counter c("snapq_c_total", "C.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < 10000; ++i) c.add({i % 2 == 0 ? "even" : std::to_string(t)});
    });
  }
  for (auto& t : threads) t.join();
  uint64_t total = c.value({"even"});
  for (int t = 0; t < 4; ++t) total += c.value({std::to_string(t)});
  EXPECT_EQ(total, 40000u);
  EXPECT_EQ(c.value({"even"}), 20000u);
}

}  // namespace
}  // namespace snapq::metrics
