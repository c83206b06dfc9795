// apps/cli/command_ablate.cpp — `excite ablate`: run an ablation study and write its report.
//
//   excite ablate                          the default study (configs/ablation-default.json)
//   excite ablate STUDY.json [flags]       a study file; flags override it (train flags: its base)
//   excite ablate STUDY_DIR                continue the study stored in that directory
//   excite ablate --report-only DIR        regenerate report.md, report.csv and the plots
//   excite ablate STUDY.json --dry-run     print the variants and runs, run nothing
#include <cstdio>
#include <filesystem>

#include "apps/cli/flags.h"
#include "apps/cli/commands.h"
#include "apps/cli/slurm_flags.h"
#include "apps/study/ablate_runner.h"
#include "apps/study/ablate_slurm.h"
#include "apps/study/report.h"
#include "apps/train/run_dir_lock.h"
#include "core/error.h"
#include "layers/attention.h"

namespace excite::apps {

namespace fs = std::filesystem;

namespace {

struct AblateArgs {
  std::string config, report_only, mode;
  std::vector<int> seeds;
  int jobs = 0, max_runs = 0;
  bool restart = false, dry_run = false;
  std::string emit;         // "slurm": write the job array instead (apps/study/ablate_slurm.h)
  SlurmOptions slurm;
  int slurm_task = -1;      // >= 0: run this array task of the study directory
};

void print_plan(const Plan& plan) {
  std::printf("study %s -> %s: %s, %zu variants x %zu seeds = %zu runs, %d at a time with %d thread(s) each\n",
              plan.study.name.c_str(), plan.dir.c_str(), name_of(plan.study.mode).c_str(), plan.variants.size(),
              plan.study.seeds.size(), plan.runs.size(), plan.study.jobs, plan.runs.empty() ? 0 : plan.runs[0].config.threads);
  for (const Variant& v : plan.variants) {
    const layers::ModelOptions& m = v.model;
    std::printf("  %-30s ", v.name.c_str());
    if (m.attention.kind == "none") std::printf("no %s", attention_word(plan).c_str());
    else
      std::printf("%s, position %s, stages %s", layers::attention_kind(m.attention.kind).describe(m.attention.options).c_str(),
                  name_of(m.position).c_str(), factor_value("stages", m).c_str());
    // The base's attention options this variant's kind does not take (each variant takes its own kind's).
    std::string ignored;
    const layers::AttentionKind& kind = layers::attention_kind(m.attention.kind);
    for (const auto& [key, value] : plan.study.base.model.attention.options.items()) {
      bool taken = false;
      for (const OptionSpec& spec : kind.options()) taken |= key == spec.setting.key;
      if (!taken) ignored += (ignored.empty() ? "" : ", ") + key;
    }
    if (m.attention.kind != plan.study.base.model.attention.kind && !ignored.empty())
      std::printf("%s(ignores the base's %s)", " ", ignored.c_str());
    std::printf("\n");
  }
  const bool exists = fs::exists(plan.dir + "/study.json");
  for (const PlannedRun& r : plan.runs) {
    std::string state = "new";
    if (exists) {
      try {
        const RunStatus s = run_status(r);
        state = s.state == RunState::Done ? "finished" : s.state == RunState::Partial
                                                             ? "resumes after epoch " + std::to_string(s.epochs_done)
                                                             : "new";
      } catch (const Error& e) {
        state = e.what();
      }
    }
    std::printf("  %-40s %s\n", r.name.c_str(), state.c_str());
  }
  for (const std::string& w : plan.warnings) std::printf("note: %s\n", w.c_str());
}

}  // namespace

Command add_ablate_command(CLI::App& app) {
  auto overrides = std::make_shared<Overrides>();
  auto a = std::make_shared<AblateArgs>();
  app.add_option("config", a->config,
                 "study file (JSON: base, factors, mode, seeds, jobs), or a study directory to continue "
                 "(default: the built-in study, configs/ablation-default.json)")
      ->check(CLI::ExistingPath);
  app.add_option("--jobs", a->jobs, "runs at once, each with max(1, cores / jobs) threads");
  app.add_option("--seeds", a->seeds, "a count N (seeds 1..N) or a list a,b,c")->delimiter(',');
  app.add_option("--mode", a->mode, "each factor alone (the SE paper's) or every combination")
      ->type_name("TEXT:{" + join_names(names_of<StudyMode>(), ",", ",") + "}");
  app.add_flag("--restart", a->restart, "discard the study directory's runs and report, start afresh");
  app.add_option("--report-only", a->report_only, "regenerate the report of the study in this directory")
      ->check(CLI::ExistingDirectory);
  app.add_flag("--dry-run", a->dry_run, "print the variants and runs (and what is finished), run nothing");
  app.add_option("--max-runs", a->max_runs, "start at most N runs now; the next call continues");
  add_slurm_flags(app, a->slurm, a->emit, /*study=*/true);
  app.add_option("--slurm-task", a->slurm_task, "(used by the emitted job array) run task I of the study directory")
      ->group("");
  add_data_flags(app, *overrides);
  add_model_flags(app, *overrides);
  add_train_flags(app, *overrides);  // --out is the study directory here
  return [&app, overrides, a] {
    const int cores = available_cores();
    if (a->slurm_task >= 0) {
      EXCITE_CHECK(fs::is_directory(a->config), "ablate: --slurm-task needs the study directory");
      return run_slurm_task(make_plan(load_study_dir(a->config), cores), a->slurm_task);
    }
    if (!a->report_only.empty()) {
      for (const CLI::Option* option : app.get_options())
        EXCITE_CHECK(option->count() == 0 || option->get_name() == "--report-only",
                     "ablate: --report-only takes no other arguments (the study is read from its directory), got "
                         << option->get_name());
      const Plan plan = make_plan(load_study_dir(a->report_only), cores);
      RunDirLock lock(plan.dir, "ablate --report-only");  // the study's files: one writer
      write_report(plan, stdout);
      print_study_gaps(plan, stdout);
      return 0;
    }
    EXCITE_CHECK(app.get_option("--seed")->count() == 0,
                 "ablate: --seed sets one run's seed; a study's seeds are --seeds N (1..N) or --seeds a,b,c");
    StudyConfig study;
    if (a->config.empty()) study = default_study();
    else if (fs::is_directory(a->config)) study = load_study_dir(a->config);
    else study = load_study_file(a->config);
    overrides->apply(study.base);
    if (!study.base.out.empty()) {
      study.out = study.base.out;
      study.base.out = "";
    }
    if (a->jobs != 0) study.jobs = a->jobs;
    if (!a->mode.empty()) study.mode = parse_name<StudyMode>(a->mode);
    if (a->seeds.size() == 1) {
      EXCITE_CHECK(a->seeds[0] >= 1, "ablate: --seeds " << a->seeds[0] << ": a study needs at least 1 seed per variant");
      study.seeds.clear();
      for (int s = 1; s <= a->seeds[0]; ++s) study.seeds.push_back(static_cast<uint64_t>(s));
    } else if (!a->seeds.empty()) {
      study.seeds.clear();
      for (int s : a->seeds) {
        EXCITE_CHECK(s >= 0, "ablate: --seeds: seeds must not be negative, got " << s);
        study.seeds.push_back(static_cast<uint64_t>(s));
      }
    }
    const Plan plan = make_plan(study, cores);
    if (a->dry_run) {
      print_plan(plan);
      return 0;
    }
    if (a->emit == "slurm") {
      emit_study_slurm(plan, a->slurm, stdout);
      return 0;
    }
    fs::create_directories(plan.dir);
    RunDirLock lock(plan.dir, "ablate");  // one study process per directory (apps/train/run_dir_lock.h)
    const StudyResult result = run_study(plan, {.restart = a->restart, .max_runs = a->max_runs, .log = stdout});
    write_report(plan, stdout);
    if (result.failed > 0) {
      std::fprintf(stderr, "excite ablate: %d run(s) failed:\n", result.failed);
      for (const auto& f : result.failures) std::fprintf(stderr, "  %s\n", f.c_str());
      std::fprintf(stderr, "run the same command again to retry them (finished runs are kept)\n");
      return 1;
    }
    if (result.remaining > 0)
      std::printf("excite ablate: %d run(s) remain; run the same command again to continue\n", result.remaining);
    return 0;
  };
}

}  // namespace excite::apps
