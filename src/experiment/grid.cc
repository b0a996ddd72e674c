#include "experiment/grid.h"

#include <utility>

#include "melnorm/error.h"

namespace melnorm::detail {

bool normalizes(const NormalizeOptions& method) { return find_method(method.method).kind != MethodKind::kIdentity; }

bool works_on_magnitude(const NormalizeOptions& method) {
  return find_method(method.method).input == MethodInput::kLinearMagnitude;
}

NormalizeOptions as_resolved(NormalizeOptions method) { return with_pipeline_defaults(std::move(method)); }

std::string method_label(const NormalizeOptions& method) {
  std::string label = method.method;
  if (!normalizes(method)) return label;
  label.append(":").append(to_string(method.scope));  // appended: GCC 12 misreports a + b + c under -Wrestrict
  if (method.axis != Axis::kAll) label.append(":").append(to_string(method.axis));
  return label;
}

void check_method(const NormalizeOptions& method) {
  if (normalizes(method) && !find_method(method.method).supports_global && method.scope == Scope::kGlobal)
    throw_invalid_argument("methods", method.method + " is a local method (no :global)");
}

namespace {

std::vector<Condition> test_conditions(const ExperimentOptions& o) {
  std::vector<Condition> conditions = {Condition::clean()};
  for (double g : o.eval_gains_db) conditions.push_back(Condition::gain(g));
  if (o.eval_bits)
    for (double g : o.eval_gains_db) conditions.push_back(Condition::gain(g, *o.eval_bits));
  if (o.eval_click) conditions.push_back(Condition::click());
  if (o.eval_noise_snr_db) conditions.push_back(Condition::noise(*o.eval_noise_snr_db));
  return conditions;
}

std::vector<DbOptions> db_variants(const ExperimentOptions& o) {
  const DbOptions& db = o.features.mel.db;
  std::vector<DbOptions> variants;
  for (const auto& ref : o.db_refs.empty() ? std::vector<std::string>{db_ref_name(db)} : o.db_refs)
    for (DbFloor floor : o.db_floors.empty() ? std::vector<DbFloor>{db.floor} : o.db_floors) {
      DbOptions v = db;
      if (v.enabled) parse_db_ref(ref, v);
      v.floor = floor;
      variants.push_back(v);
    }
  return variants;
}

}  // namespace

Grid make_grid(const ExperimentOptions& o) {
  Grid grid;
  for (const auto& m : o.methods) check_method(m);
  grid.conditions = test_conditions(o);
  grid.vary_db = !o.db_refs.empty() || !o.db_floors.empty();
  grid.db_variants = db_variants(o);
  grid.augmentations = o.train_augmentations.empty() ? std::vector<Augmentation>{{}} : o.train_augmentations;
  for (const auto& m : o.methods) {
    for (std::size_t a = 0; a < grid.augmentations.size(); ++a) {
      if (works_on_magnitude(m)) grid.arms.push_back({m, std::nullopt, a});  // once: no dB conversion to vary
      else
        for (std::size_t v = 0; v < grid.db_variants.size(); ++v) grid.arms.push_back({m, v, a});
    }
  }
  return grid;
}

std::string db_ref_of(const Grid& grid, const Arm& arm) {
  return arm.db && grid.db_variants[*arm.db].enabled ? db_ref_name(grid.db_variants[*arm.db]) : "";
}

std::string db_floor_of(const Grid& grid, const Arm& arm) {
  return db_ref_of(grid, arm).empty() ? "" : to_string(grid.db_variants[*arm.db].floor);
}

std::string train_augment_of(const Grid& grid, const Arm& arm) { return grid.augmentations.at(arm.augment).name(); }

std::string arm_label(const Grid& grid, const Arm& arm) {
  const std::string ref = db_ref_of(grid, arm);
  const Augmentation& a = grid.augmentations.at(arm.augment);
  return method_label(arm.method) + (grid.vary_db && !ref.empty() ? " db=" + ref + "/" + db_floor_of(grid, arm) : "") +
         (a.enabled() ? " train=" + a.name() : "");
}

}  // namespace melnorm::detail
