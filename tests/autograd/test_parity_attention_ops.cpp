// Parity of the attention primitives with PyTorch on tests/fixtures/attention_ops.safetensors
// (tests/reference/make_attention_fixtures.py): channel_mean = x.mean(1, keepdim), channel_max =
// x.max(1, keepdim)[0] (ties "first") or x.amax(1, keepdim) (ties "split", on inputs full of exact
// ties too), spatial_scale = x * s, channel_conv1d = F.conv1d on [N, 1, C], upsample_nearest =
// F.interpolate(mode='nearest') (with a case where torch's float32 index rule differs from the exact
// floor), cat = torch.cat. Output and every input's gradient within 1e-4 relative (max |a - b| /
// max |b|). EXCITE_PARITY_REPORT=1 prints every error.
#include <catch2/catch.hpp>

#include "attention_fixture.h"

using namespace excite;
using namespace excite::testing;
using namespace excite::testing::attention;

TEST_CASE("parity: attention primitives (channel_mean, channel_max, spatial_scale, channel_conv1d, upsample_nearest, cat)") {
  const SafetensorsFile f = load_fixture("attention_ops");
  float worst = 0.f;
  for (const json& c : cases_of(f)) {
    const std::string name = c["name"], op = c["op"];
    SECTION(name) {
      float err = 0.f;
      if (op == "channel_mean") {
        err = run_op_case(f, name, {"x"}, [](Inputs& v) { return channel_mean(v["x"]); });
      } else if (op == "channel_max") {
        const MaxTies ties = c["ties"] == "split" ? MaxTies::Split : MaxTies::First;
        err = run_op_case(f, name, {"x"}, [ties](Inputs& v) { return channel_max(v["x"], ties); });
      } else if (op == "spatial_scale") {
        err = run_op_case(f, name, {"x", "s"}, [](Inputs& v) { return spatial_scale(v["x"], v["s"]); });
      } else if (op == "channel_conv1d") {
        const int64_t pad = c["padding"];
        err = run_op_case(f, name, {"v", "w"}, [pad](Inputs& v) { return channel_conv1d(v["v"], v["w"], pad); });
      } else if (op == "upsample_nearest") {
        const int64_t oh = c["size"][0], ow = c["size"][1];
        err = run_op_case(f, name, {"x"}, [oh, ow](Inputs& v) { return upsample_nearest(v["x"], oh, ow); });
      } else if (op == "cat") {
        const int64_t dim = c["dim"], count = c["count"];
        std::vector<std::string> names;
        for (int64_t i = 0; i < count; ++i) names.push_back("x" + std::to_string(i));
        err = run_op_case(f, name, names, [&](Inputs& v) {
          std::vector<Variable> xs;
          for (const std::string& k : names) xs.push_back(v[k]);
          return cat(xs, dim);
        });
      } else {
        FAIL("unknown op " << op);
      }
      worst = std::max(worst, err);
      if (report_enabled()) std::cout << "parity attention_ops/" << name << " worst rel_err " << err << "\n";
    }
  }
}
