// tools/seglog/repair.cpp — `seglog repair DIR`: with the writer's lock
// held, check everything, show the plan, ask (or take --yes), carry it out,
// then open the directory as a writer would (it seals the cut segment) and
// verify again (docs/cli.md, "repair").
#include "checked_log.hpp"
#include "commands.hpp"
#include "json_out.hpp"
#include "lock_probe.hpp"
#include "repair_apply.hpp"
#include "repair_plan.hpp"

#include <seglog/seglog.hpp>

#include "io/directory_lock.hpp"

#include <unistd.h>

#include <iostream>
#include <mutex>
#include <string>
#include <vector>

namespace seglog::tool {

namespace json = boost::json;

namespace {

// What the writable open after the repair says it did.
class CollectingLogger final : public Logger {
 public:
  void log(Level level, std::string_view message) override {
    if (level < Level::info) return;
    std::lock_guard lock(mu_);
    messages_.emplace_back(message);
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
};

std::string locked_message(const std::filesystem::path& dir, const LockInfo& lock) {
  return "locked: " +
         (lock.pid ? "process " + std::to_string(*lock.pid) : std::string("a writer")) + " has " +
         dir.string() + " open; stop it before repairing (nothing changed)";
}

std::string plan_text(const std::filesystem::path& dir, const RepairPlan& plan,
                      const std::filesystem::path& quarantine) {
  std::string out;
  if (plan.actions.empty()) {
    out = "nothing to move or cut in " + dir.string() + "\n";
  } else {
    out = "repair plan for " + dir.string() + " (quarantine: " + quarantine.string() + ")\n";
    for (std::size_t i = 0; i < plan.actions.size(); ++i) {
      out += "  " + std::to_string(i + 1) + ". " + describe(plan.actions[i]) + "\n";
    }
    out += "  then: open the directory as a writer (which seals a cut segment) and verify it\n";
  }
  if (!plan.not_repaired.all().empty()) {
    out += "not repaired (which part is right is yours to decide):\n";
    for (const Finding& f : plan.not_repaired.all()) out += "  " + describe(f) + "\n";
  }
  return out;
}

json::object plan_json(const RepairPlan& plan, const std::filesystem::path& quarantine) {
  json::array actions;
  for (const RepairAction& a : plan.actions) {
    json::object o;
    o["action"] = action_name(a.kind);
    o["file"] = json_text(a.name);
    const bool bytes = a.kind == ActionKind::cut || a.kind == ActionKind::reseal;
    o["offset"] = bytes ? json::value(a.offset) : json::value(nullptr);
    o["end"] = bytes ? json::value(a.end) : json::value(nullptr);
    o["first_index"] = json_optional(a.first_index);
    o["last_index"] = json_optional(a.last_index);
    o["why"] = json_text(a.why);
    if (a.kind == ActionKind::salvage) {
      o["keys_kept"] = a.kv_values.size();
      json::array lost;
      for (const std::string& l : a.lost) lost.push_back(json::value(json_text(l)));
      o["lost"] = std::move(lost);
    }
    actions.push_back(std::move(o));
  }
  return json::object{{"quarantine", json_text(quarantine.string())},
                      {"actions", std::move(actions)},
                      {"not_repaired", findings_json(plan.not_repaired)}};
}

bool confirmed(const RepairOptions& options) {
  if (options.yes) return true;
  if (::isatty(STDIN_FILENO) != 1) {
    std::cerr << "seglog repair: standard input is not a terminal: pass --yes to apply the plan "
                 "(or --dry-run to see it); nothing changed\n";
    return false;
  }
  std::cerr << "apply this plan? [y/N] ";
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  std::cerr << "seglog repair: not confirmed; nothing changed\n";
  return false;
}

}  // namespace

int run_repair(const RepairOptions& options) {
  const std::filesystem::path& dir = options.dir;
  // The writer's lock, held while checking and changing, so nothing moves
  // under the plan. A dry run only tests it: it changes nothing, not even
  // by creating LOCK.
  std::optional<detail::DirectoryLock> lock;
  if (options.dry_run) {
    if (const LockInfo info = probe_lock(dir); info.held) {
      std::cerr << "seglog repair: " << locked_message(dir, info) << "\n";
      return kExitError;
    }
  } else {
    auto acquired = detail::DirectoryLock::acquire(dir);
    if (!acquired) {
      if (acquired.error() == errc::locked) {
        std::cerr << "seglog repair: " << locked_message(dir, probe_lock(dir)) << "\n";
      } else {
        std::cerr << "seglog repair: " << acquired.error().message() << "\n";
      }
      return kExitError;
    }
    lock.emplace(std::move(*acquired));
  }
  auto checked = check_log(dir, Depth::full);
  if (!checked) {
    std::cerr << "seglog repair: " << checked.error().message() << "\n";
    return kExitError;
  }
  auto plan = plan_repair(*checked);
  if (!plan) {
    std::cerr << "seglog repair: " << plan.error().message() << "\n";
    return kExitError;
  }
  const std::filesystem::path quarantine = quarantine_path(dir);
  json::object out;
  if (options.json) {
    out = plan_json(*plan, quarantine);
    out["dir"] = json_text(dir.string());
    out["dry_run"] = options.dry_run;
  } else {
    std::cout << plan_text(dir, *plan, quarantine) << std::flush;
  }
  if (options.dry_run || plan->actions.empty()) {
    if (options.json) {
      out["applied"] = false;
      print_json_line(stdout, out);
    }
    return plan->not_repaired.clean() && checked->findings.clean() ? kExitClean : kExitDamage;
  }
  if (!confirmed(options)) return kExitError;

  Status applied = apply_repair(dir, *plan, quarantine);
  lock.reset();  // the open below takes the lock itself
  if (!applied) {
    std::cerr << "seglog repair: " << applied.error().message() << " (see "
              << (quarantine / "README.txt").string() << " for what was done)\n";
    return kExitError;
  }
  // A writable open seals the cut segment (its footer over the zeros) and
  // finds nothing left to remove: everything it would remove was moved.
  auto logger = std::make_shared<CollectingLogger>();
  Options open_options;
  open_options.dir = dir;
  open_options.logger = logger;
  {
    auto opened = SegmentedStorage::open(open_options);
    if (!opened) {
      std::cerr << "seglog repair: the directory still does not open: " << opened.error().message()
                << "\n";
      return kExitDamage;
    }
    if (auto s = (*opened)->close(); !s) {
      std::cerr << "seglog repair: closing after the repair: " << s.error().message() << "\n";
      return kExitError;
    }
  }
  auto after = check_log(dir, Depth::full);
  if (!after) {
    std::cerr << "seglog repair: " << after.error().message() << "\n";
    return kExitError;
  }
  const bool clean = after->findings.clean();
  if (options.json) {
    out["applied"] = true;
    json::array messages;
    for (const std::string& m : logger->messages()) messages.push_back(json::value(json_text(m)));
    out["open_messages"] = std::move(messages);
    out["after"] = json::object{{"clean", clean},
                                {"first_index", after->first_index},
                                {"last_index", after->last_index},
                                {"findings", findings_json(after->findings)}};
    print_json_line(stdout, out);
  } else {
    for (const std::string& m : logger->messages()) std::cout << "open: " << m << "\n";
    std::cout << "repaired: the directory opens, log " << after->first_index << ".."
              << after->last_index << "; quarantine: " << quarantine.string() << "\n";
    for (const Finding& f : after->findings.all())
      std::cout << "after repair: " << describe(f) << "\n";
    std::cout << (clean ? "verify: clean\n" : "verify: DAMAGE REMAINS (see above)\n");
  }
  std::fflush(stdout);
  return clean ? kExitClean : kExitDamage;
}

}  // namespace seglog::tool
