// Process metrics in the Prometheus text exposition format (0.0.4), served by
// GET /metrics: labelled counters and histograms that hot paths (the rest
// connector, the engine's listeners) bump cheaply, and the writer that renders
// them together with gauges read at scrape time. The text is deterministic:
// families sorted by name, series by their label values.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace snapq::metrics {

enum class Type { counter, gauge, histogram };
const char* toString(Type type);

// Label values in the order of their family's label names.
using LabelValues = std::vector<std::string>;
// Name-value pairs of one sample line, in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Whether a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or label name
// ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__") is valid.
bool validMetricName(std::string_view name);
bool validLabelName(std::string_view name);

// A label value escaped for the text format: \ " and newline.
std::string escapeLabelValue(std::string_view value);
// HELP text escaped: \ and newline.
std::string escapeHelp(std::string_view help);
// A sample value: integers without a fraction, others in their shortest exact
// form, and +Inf, -Inf, NaN.
std::string formatValue(double value);

// Collects families and renders the text. HELP and TYPE come before a
// family's samples; a family's samples keep the order they were added in
// (a histogram's buckets by bound, then _sum and _count).
class Exposition {
 public:
  // Declaring a family again keeps the first help and type.
  void declare(const std::string& name, std::string help, Type type);
  // A sample of `family` (declared before; otherwise ignored), named family + suffix.
  void sample(const std::string& family, std::string_view suffix, const Labels& labels, double value);
  std::string text() const;

 private:
  struct Family {
    std::string help;
    Type type = Type::gauge;
    std::string lines;
  };
  std::map<std::string, Family> families_;
};

// A family of labelled counters. Thread-safe; a series is created at 0 on
// first use and lives as long as the family.
class Counter {
 public:
  Counter(std::string name, std::string help, std::vector<std::string> label_names);

  void add(const LabelValues& values, uint64_t by = 1) { series(values).fetch_add(by, std::memory_order_relaxed); }
  // One series, for a caller that increments it often without the lookup.
  std::atomic<uint64_t>& series(const LabelValues& values);
  uint64_t value(const LabelValues& values) const;  // 0 for a series never used

  const std::string& name() const { return name_; }
  const std::vector<std::string>& labelNames() const { return label_names_; }
  void collect(Exposition& out) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  mutable std::mutex mu_;
  std::map<LabelValues, std::atomic<uint64_t>> series_;  // map nodes never move
};

// A family of labelled histograms with fixed upper bounds (ascending; +Inf is
// implied). Thread-safe.
class Histogram {
 public:
  Histogram(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds);

  void observe(const LabelValues& values, double value);

  struct Data {
    std::vector<uint64_t> buckets;  // per bound, not cumulative; one more for +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Data data(const LabelValues& values) const;  // empty buckets for a series never observed

  const std::string& name() const { return name_; }
  const std::vector<std::string>& labelNames() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }
  void collect(Exposition& out) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<LabelValues, Data> series_;
};

// Families by name. Asking again for a name returns the same family; asking
// for it with another type or other label names is a programming error and
// aborts.
class Registry {
 public:
  // The process-wide registry: what the connectors count lands here.
  static Registry& global();

  Counter& counter(const std::string& name, const std::string& help, const std::vector<std::string>& label_names);
  Histogram& histogram(const std::string& name, const std::string& help, const std::vector<std::string>& label_names,
                       const std::vector<double>& bounds);
  void collect(Exposition& out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Counter>> counters_;
  std::map<std::string, std::unique_ptr<Histogram>> histograms_;
};

}  // namespace snapq::metrics
