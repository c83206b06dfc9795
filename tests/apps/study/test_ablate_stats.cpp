// The report's statistics against textbook values: the incomplete beta function, Student's t
// tail probabilities and critical values, pooled noise and the comparison of two variants.
#include <catch2/catch.hpp>

#include <cmath>

#include "apps/study/report_stats.h"

using namespace excite::apps;

TEST_CASE("incomplete beta: closed forms", "[ablate]") {
  for (double x : {0.01, 0.2, 0.5, 0.77, 0.99}) {
    INFO("x = " << x);
    CHECK(incomplete_beta(x, 1, 1) == Approx(x).epsilon(1e-12));
    CHECK(incomplete_beta(x, 3, 1) == Approx(x * x * x).epsilon(1e-12));
    CHECK(incomplete_beta(x, 1, 2) == Approx(1 - (1 - x) * (1 - x)).epsilon(1e-12));
  }
  CHECK(incomplete_beta(0.5, 7.5, 7.5) == Approx(0.5).epsilon(1e-12));
  CHECK(incomplete_beta(0, 2, 3) == 0);
  CHECK(incomplete_beta(1, 2, 3) == 1);
}

TEST_CASE("Student's t: two-sided p and critical values from the tables", "[ablate]") {
  // t_0.975 for df 1, 2, 5, 10, 30 (two-sided 5 %)
  const double table[][2] = {{1, 12.706}, {2, 4.303}, {5, 2.571}, {10, 2.228}, {30, 2.042}};
  for (const auto& row : table) {
    INFO("df " << row[0]);
    CHECK(t_two_sided_p(row[1], row[0]) == Approx(0.05).epsilon(2e-3));
    CHECK(t_critical(0.05, row[0]) == Approx(row[1]).epsilon(2e-4));
  }
  CHECK(t_two_sided_p(0, 4) == Approx(1));
  CHECK(t_two_sided_p(1.96, 1e7) == Approx(0.05).epsilon(2e-3));  // the normal limit
  CHECK(t_two_sided_p(1.0, 1) == Approx(0.5).epsilon(1e-9));      // Cauchy: P(|T| >= 1) = 1/2
}

TEST_CASE("mean, sample std, pooled noise and the comparison of two variants", "[ablate]") {
  const Sample a = describe({0.90, 0.92, 0.94});
  CHECK(a.n == 3);
  CHECK(a.mean == Approx(0.92));
  CHECK(a.sd == Approx(0.02));
  CHECK(describe({0.5}).sd == 0);
  CHECK(describe({}).n == 0);

  const Sample b = describe({0.88, 0.89, 0.90});  // sd 0.01
  const Noise noise = pooled_noise({a, b, describe({0.7})});  // the single run adds no df
  CHECK(noise.df == 4);
  CHECK(noise.sd == Approx(std::sqrt((2 * 0.0004 + 2 * 0.0001) / 4)));

  const Comparison c = compare(a, b, noise);
  REQUIRE(c.testable);
  CHECK(c.diff == Approx(0.03));
  const double se = noise.sd * std::sqrt(2.0 / 3.0);
  CHECK(c.t == Approx(0.03 / se));
  CHECK(c.ci95 == Approx(2.776 * se).epsilon(1e-3));  // t_0.975 with df 4
  CHECK(c.p == Approx(0.0808).margin(2e-4));  // t = 2.3238, df 4: 0.080800 by direct integration of the density
  CHECK_FALSE(c.beyond_noise);
  CHECK(c.ci95 > c.diff);

  const Comparison big = compare(describe({0.95, 0.96, 0.97}), b, noise);
  CHECK(big.beyond_noise);
  CHECK(big.p < 0.05);
  CHECK(big.ci95 < big.diff);

  const Comparison tiny = compare(describe({0.9, 0.91}), describe({0.905, 0.9}), noise);
  CHECK_FALSE(tiny.beyond_noise);
  CHECK_FALSE(compare(describe({0.9}), describe({0.8}), Noise{}).testable);  // no seed noise known
}
