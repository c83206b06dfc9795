// apps/study/report_paper.h — the SE paper's ImageNet ablation figures, printed in an SE study's
// report beside the matching factor values.
//
// SE-ResNet-50 on ImageNet, top-1 error in % (Hu et al., "Squeeze-and-Excitation Networks",
// TPAMI 2019, ablation tables 5-10: reduction ratio, squeeze, excitation, stages, integration). The paper's stages 2, 3, 4 are ResNet-50's first three residual stages
// (conv2_x .. conv4_x); excite numbers residual stages from 1, so our stage k stands beside the
// paper's stage k + 1 (exact for 4-stage models, by order for the 3-stage CIFAR nets).
#pragma once

#include <optional>
#include <string>

namespace excite::apps {

inline constexpr double kPaperNoSETop1Error = 23.30;  // ResNet-50

// The paper's top-1 error for a factor value as excite writes it (apps/study/ablate_study.h
// factor_value: "8", "max", "tanh", "1", "all", "pre", "none"); none when the paper has no such row.
inline std::optional<double> paper_top1_error(const std::string& factor, const std::string& value) {
  struct Row {
    const char* factor;
    const char* value;
    double error;
  };
  static const Row rows[] = {
      {"reduction", "2", 22.29},       {"reduction", "4", 22.25},       {"reduction", "8", 22.26},
      {"reduction", "16", 22.28},      {"reduction", "32", 22.72},      {"squeeze", "max", 22.57},
      {"squeeze", "avg", 22.28},       {"gate", "relu", 23.47},         {"gate", "tanh", 23.00},
      {"gate", "sigmoid", 22.28},      {"stages", "1", 23.03},          {"stages", "2", 23.04},
      {"stages", "3", 22.68},          {"stages", "all", 22.28},        {"position", "standard", 22.28},
      {"position", "pre", 22.23},      {"position", "post", 22.78},     {"position", "identity", 22.20},
      {"attention", "none", kPaperNoSETop1Error}, {"attention", "se", 22.28},
  };
  for (const Row& r : rows)
    if (factor == r.factor && value == r.value) return r.error;
  return std::nullopt;
}

// The companions' own papers, ResNet-50 on ImageNet, top-1 **accuracy** in % (each paper's
// baseline, SE and its module): ECA-Net (Wang et al., CVPR 2020, table 2), CBAM (Woo et al.,
// ECCV 2018) and Gather-Excite (Hu et al., NeurIPS 2018; GE-theta-minus is excite's `ge`). The
// papers trained by different recipes, so a figure compares only within its own paper.
// For an attention kind as excite writes it ("none", "se", "eca", "cbam", "cbam-channel", "ge").
inline std::string paper_attention_top1(const std::string& kind) {
  if (kind == "none") return "ECA-Net 75.20, CBAM 75.44, GE 76.70";
  if (kind == "se") return "ECA-Net 76.71, CBAM 76.86, GE 77.88";
  if (kind == "eca") return "ECA-Net 77.48";
  if (kind == "cbam") return "ECA-Net 77.34, CBAM 77.34";
  if (kind == "ge") return "GE theta-minus 77.86 (theta 78.00, theta-plus 78.12)";
  return "";
}

}  // namespace excite::apps
