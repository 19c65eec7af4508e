// compare.hpp — `workload --impl all`: seglog against the machine's floor
// (physical, physical-pwrite) and MemoryStorage in one process run, and the
// ratios issue 4 sets goals on, taken from that same run.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace seglog::workload {

// The implementations --impl all runs, in this order.
const std::vector<std::string>& compared_impls();

// The phases an implementation runs under --impl all: all of `selected`,
// except physical-pwrite, which differs from physical only in how it
// writes and so runs only the append phases.
std::vector<std::string> compared_phases(const std::string& impl,
                                         const std::vector<std::string>& selected);

// Whose goals the ratios are judged on: issue 4's (the standard run) or
// issue 15's (--scale: reads and appends at scale, where append must reach
// 0.9 of the floor and range reads 0.7; append_sync keeps issue 4's goal,
// issue 15 asking it unchanged).
enum class GoalSet { issue4, issue15 };

// The ratios of seglog to the floor, from `runs` (impl name -> the phases
// object run_phases returned). Each ratio: {"value": x, "goal": "<= 1.3",
// "met": bool} (goal and met only where `goals` sets one). Ratios whose
// inputs did not run are left out.
boost::json::object compare_ratios(const boost::json::object& runs,
                                   GoalSet goals = GoalSet::issue4);

// Several rounds of --impl all (--repeat): the per-metric medians of
// `rounds` (each one impl name -> phases object), same shape. With an even
// count the lower of the two middle values.
boost::json::object median_runs(const std::vector<boost::json::object>& rounds);

// The medians of each round's compare_ratios(), with "goal" and "met"
// (judged on the median) and "rounds": every round's value.
boost::json::object median_ratios(const std::vector<boost::json::object>& rounds);

// A metric for people: integers with thousands separators, doubles with
// three significant digits or more; "-" for null.
std::string format_metric(const boost::json::value* value);

// The human form: one column per implementation, then the ratios.
void print_comparison_table(const std::string& heading, const boost::json::object& runs,
                            const boost::json::object& ratios);

}  // namespace seglog::workload
